"""What a run did and found, and how to say it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from tests.fuzz.checks import CLASSES, Finding


@dataclass
class Found:
    """One distinct failure: how often, and the first action that showed it."""

    finding: Finding
    first: str  # the action, as the report shows it
    index: int
    times: int = 1


@dataclass
class Report:
    seed: int
    stack: str
    actions: Counter[str] = field(default_factory=Counter)
    replies: int = 0  # messages the bot sent
    edits: int = 0  # messages the bot edited
    presses: int = 0
    answered: int = 0
    seconds: float = 0.0
    found: dict[tuple[str, str], Found] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the fuzzer itself could not do
    slowest: list[tuple[float, str]] = field(default_factory=list)  # (seconds, action)

    @property
    def failed(self) -> bool:
        return bool(self.found)

    def add(self, finding: Finding, action: str, index: int) -> None:
        key = (finding.kind, finding.signature)
        if key in self.found:
            self.found[key].times += 1
        else:
            self.found[key] = Found(finding, action, index)

    def timed(self, seconds: float, action: str) -> None:
        """Keep the five slowest actions."""
        self.slowest = sorted([*self.slowest, (seconds, action)], reverse=True)[:5]

    def text(self) -> str:
        total = sum(self.actions.values())
        lines = [
            f"Pythia fuzz: seed {self.seed}, {total} actions on {self.stack} "
            f"in {self.seconds:.1f} s",
            "actions: " + ", ".join(f"{k} {n}" for k, n in sorted(self.actions.items())),
            f"bot messages sent {self.replies}, edited {self.edits}; "
            f"presses answered {self.answered} of {self.presses}",
        ]
        lines += [f"slow: {seconds:.2f} s {action[:200]}" for seconds, action in self.slowest]
        lines += [f"note: {note}" for note in self.notes[:20]]
        if not self.found:
            lines.append("no failures")
            return "\n".join(lines)
        by_class = Counter(found.finding.kind for found in self.found.values())
        lines.append(
            f"FAILURES: {len(self.found)} distinct — "
            + ", ".join(f"{kind} {by_class[kind]}" for kind in CLASSES if by_class[kind])
        )
        for kind in CLASSES:
            for found in sorted(self.found.values(), key=lambda f: f.index):
                if found.finding.kind != kind:
                    continue
                lines += [
                    f"\n[{kind}] {found.finding.signature}  (×{found.times})",
                    f"  {found.finding.detail[:600]}",
                    f"  first at action {found.first}",
                    f"  reproduce: python -m tests.fuzz --seed {self.seed} "
                    f"--messages {found.index + 1} --stack {self.stack}",
                ]
        return "\n".join(lines)
