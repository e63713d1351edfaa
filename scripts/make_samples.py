"""Realistic, messy departmental submissions for the demo: `python scripts/make_samples.py OUT_DIR`.

Writes OUT_DIR/<department-id>/<dataset-id>/<file>: every dataset folder with a sample.py writes its files
(transforms/samples.py says how they are made). Deterministic: two runs write byte-identical files.
"""

import sys
from collections.abc import Sequence
from pathlib import Path

from transforms.contracts import load_source_contracts
from transforms.samples import sample_municipalities, sample_of


def main(argv: Sequence[str]) -> int:
    if len(argv) != 1 or argv[0].startswith("-"):  # `--help` is a request, not a folder to fill
        print("usage: python scripts/make_samples.py OUT_DIR", file=sys.stderr)
        return 2
    out = Path(argv[0])
    municipalities = sample_municipalities()
    for contract in load_source_contracts().values():
        try:
            sample = sample_of(contract)
            if sample is not None:
                sample.write_samples(out / contract.department / contract.id, municipalities)
        except Exception as problem:  # one folder's broken sample never keeps the others' from the demo
            print(f"make_samples: {contract.id}: {type(problem).__name__}: {problem}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
