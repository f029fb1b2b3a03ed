"""The published contract documents, generated from the code: `python -m ogi.contract_docs` writes them
under docs/, `--check` fails when a committed one is out of date."""

import json
import sys
from pathlib import Path

from services.gateway.app import GatewayService
from services.indicators.app import IndicatorsService
from shared.asyncapi import document
from shared.settings import Settings

DOCS = Path(__file__).resolve().parent.parent / "docs"


def documents() -> dict[str, str]:
    settings = Settings(database_url="sqlite:///:memory:")
    return {
        "asyncapi.yaml": document(),
        "openapi-indicators.json": json.dumps(IndicatorsService(settings).http.openapi(), indent=2, ensure_ascii=False) + "\n",
        "openapi-gateway.json": json.dumps(GatewayService(settings).http.openapi(), indent=2, ensure_ascii=False) + "\n",
    }


def main(argv: list[str]) -> int:
    stale = []
    for name, text in documents().items():
        path = DOCS / name
        if "--check" in argv:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print(f"out of date with the code: {', '.join(stale)} (run python -m ogi.contract_docs)", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
