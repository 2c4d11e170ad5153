"""News sources: feeds fetched over HTTP (conditional GET, time-outs, a size cap, a redirect
cap) and parsed with feedparser off the event loop; the sandbox's local feed server."""
