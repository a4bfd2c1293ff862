"""Choose the default embedding backend of each language by k-fold cross-validation.

    .venv/bin/python scripts/select_embedding_backend.py            # writes models/embeddings/backend_selection.json
    .venv/bin/python scripts/select_embedding_backend.py --out sel.json --k 5 --languages en

Every backend that reads the language (single backends and pairs) is scored on disjoint folds
of the bundled association items, the softmax temperature fitted on the other folds; items the
tests check are held out and never used (``models.embeddings.selection``). Prints one line per
backend (cross-validated accuracy, log-likelihood per item, held-out numbers) and the winner.
Bad input is one line ``mirrorlab: error: …`` and exit status 2; an existing file is replaced
only once the whole table is computed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv: list[str] | None = None) -> int:
    from models.embeddings import selection

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=selection.SELECTION_FILE,
                        help="where to write the table (default: %(default)s)")
    parser.add_argument("--k", type=int, default=selection.N_FOLDS, help="number of folds")
    parser.add_argument("--languages", default=",".join(selection.SETS),
                        help="comma-separated languages (default: %(default)s)")
    args = parser.parse_args(argv)
    languages = [x.strip() for x in args.languages.split(",") if x.strip()]
    try:
        unknown = [x for x in languages if x not in selection.SETS]
        if unknown or not languages:
            raise selection.ModelInputError(
                f"--languages {args.languages!r}: unknown language(s) {', '.join(unknown) or '(none given)'}; "
                f"known: {', '.join(selection.SETS)}")
        if not args.out.parent.is_dir():
            raise selection.ModelInputError(f"--out {args.out}: folder {args.out.parent} does not exist")
        table = selection.select_backends(languages, k=args.k,
                                          progress=lambda what: print(f"scoring {what}", file=sys.stderr))
        for language, entry in table["languages"].items():
            print(f"{language} ({entry['stimulus_set']}: {sum(len(f) for f in entry['folds'])} selection "
                  f"items in {len(entry['folds'])} folds, {len(entry['held_out_items'])} held out)")
            for name, result in entry["backends"].items():
                mark = "  <- selected" if name == entry["selected"] else ""
                print(f"  {name:42s} cv accuracy {100 * result['cv_accuracy']:5.1f}%  "
                      f"cv loglik/item {result['cv_loglik_per_item']:7.3f}  "
                      f"held-out accuracy {100 * result['held_out_accuracy']:5.1f}%  "
                      f"held-out loglik/item {result['held_out_loglik_per_item']:7.3f}{mark}")
        path = selection.write_selection(table, args.out)
    except selection.ModelInputError as exc:
        print(f"mirrorlab: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
