# One image for every Pythia process: `pythia migrate`, `pythia bot`, `pythia workers`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DATA_DIR=/data
# LightGBM needs the OpenMP runtime; TA-Lib and everything else come as wheels.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgomp1 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 pythia \
 && mkdir -p /data && chown pythia /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY core core
COPY db db
COPY services services
COPY bot bot
COPY workers workers
COPY pythia pythia
COPY alembic alembic
COPY alembic.ini ./
COPY data data
RUN pip install -e . && python -m bot.i18n.tooling compile

USER pythia
VOLUME ["/data"]
ENTRYPOINT ["pythia"]
CMD ["run"]
