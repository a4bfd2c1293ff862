"""``mirrorlab relatedness``: semantic relatedness (cosine) of word pairs from an embedding backend.

Word pairs come from a CSV file (columns ``word_a``, ``word_b``, optional ``item_id``) or, with
no file, from a picture–word or continuous-naming stimulus set (picture–distractor pairs,
category co-members). The command prints a table, writes a CSV (``--out``), and with
``--store`` writes per-item covariates for the stimulus set, where the analysis finds them.
Embeddings are cached in the database whenever one is named (``--db``, ``$MIRRORLAB_DB`` or
``--store``), so a repeated run encodes nothing.
"""

from __future__ import annotations

import argparse
import os
import sys

from mirrorlab.cli import add_db_option


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "relatedness", help="semantic relatedness of word pairs from an embedding backend",
        description="Cosine relatedness of the word pairs in a CSV file (columns word_a, word_b, "
                    "optional item_id), or of a picture-word / continuous-naming set's "
                    "picture-distractor pairs and category co-members (no file, --stimuli-set). "
                    "Prints a table, writes --out, or stores per-item covariates (--store).",
        epilog="examples: mirrorlab relatedness --backend glove pairs.csv; "
               "mirrorlab relatedness --stimuli-set picture-word-ja --store")
    parser.add_argument("pairs", metavar="WORD_PAIRS.csv", nargs="?",
                        help="CSV with columns word_a, word_b[, item_id] (omit to use --stimuli-set's pairs)")
    parser.add_argument("--backend", default="auto",
                        help="auto (default for the words' language), sentence-transformers, "
                             "use-multilingual, chive, glove, or parts joined by + "
                             "(e.g. chive+use-multilingual)")
    parser.add_argument("--model-name", help="the backend's model (sentence-transformers: any model "
                                             "name or folder; default: the offline all-MiniLM-L6-v2)")
    parser.add_argument("--language", choices=("en", "ja"),
                        help="language of the words (default: the set's, else detected from the script)")
    parser.add_argument("--force-language", action="store_true",
                        help="use the backend even on text in a language it cannot read")
    parser.add_argument("--out", metavar="FILE", help="write the table as CSV here instead of printing it")
    parser.add_argument("--store", action="store_true",
                        help="store per-item relatedness covariates (needs --stimuli-set; a CSV needs item_id)")
    parser.add_argument("--stimuli-set", metavar="NAME", help="stimulus set the items belong to")
    parser.add_argument("--name", default="relatedness",
                        help="covariate name for CSV pairs (default: relatedness)")
    add_db_option(parser)
    parser.set_defaults(handler=run_relatedness)


def read_pairs(path: str):
    """The word-pair CSV as a data frame; one-line errors for a missing file, column or word."""
    import pandas as pd

    from models.base import ModelInputError

    if not os.path.isfile(path):
        raise ModelInputError(f"{path}: no such file")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelInputError(f"{path}: not a readable UTF-8 CSV file ({first_line})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    for column in ("word_a", "word_b"):
        if column not in frame.columns:
            raise ModelInputError(f"{path}: missing column {column} (expected word_a, word_b[, item_id]); "
                                  f"found {', '.join(frame.columns) or 'no columns'}")
    if len(frame) == 0:
        raise ModelInputError(f"{path}: no word pairs")
    for column in ("word_a", "word_b"):
        blank = frame[column].str.strip() == ""
        if blank.any():
            line = int(blank.to_numpy().nonzero()[0][0]) + 2  # the header is line 1
            raise ModelInputError(f"{path}, line {line}: empty {column}")
    return frame


def run_relatedness(args: argparse.Namespace) -> int:
    from models.base import ModelInputError
    from models.embeddings.cache import EmbeddingCache
    from models.embeddings.relatedness import covariate_rows, pair_relatedness, stimulus_set_relatedness

    if args.pairs is None and not args.stimuli_set:
        raise ModelInputError("give a WORD_PAIRS.csv file or --stimuli-set NAME "
                              "(a picture-word or continuous-naming set)")
    if args.store and not args.stimuli_set:
        raise ModelInputError("--store needs --stimuli-set NAME (the set whose items these pairs are)")
    pairs = read_pairs(args.pairs) if args.pairs is not None else None
    if args.store and pairs is not None and "item_id" not in pairs.columns:
        raise ModelInputError(f"{args.pairs}: --store needs an item_id column")
    stimulus_set = None
    if args.stimuli_set:
        from stimuli import load_set

        stimulus_set = load_set(args.stimuli_set)
    store = None
    if args.store or args.db or os.environ.get("MIRRORLAB_DB"):
        from db.store import Store

        store = Store(args.db)
    options = dict(backend=args.backend, model_name=args.model_name, cache=EmbeddingCache(store),
                   language=args.language, force_language=args.force_language)
    if pairs is not None:
        result = pair_relatedness(pairs, where=args.pairs, **options)
        table = result[[c for c in ("item_id", "word_a", "word_b") if c in result.columns]
                       + ["relatedness", "oov"]]
    else:
        result = stimulus_set_relatedness(stimulus_set.trial_list(seed=1), **options)
        table = result[["item_id", "name", "word_a", "value", "oov"]].rename(
            columns={"word_a": "word", "value": "relatedness"})
    if args.out:
        table.to_csv(args.out, index=False)
        print(f"wrote {len(table)} rows to {args.out}", file=sys.stderr)
    else:
        print(f"# backend {result['backend'].iloc[0]} ({result['model_name'].iloc[0]})")
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}", na_rep="OOV"))
    oov = sorted({w for cell in result["oov"] for w in cell.split(", ") if w})
    if oov:
        print(f"out of vocabulary (no vector, relatedness left empty): {', '.join(oov)}", file=sys.stderr)
    if args.store:
        rows = covariate_rows(result, stimulus_set=stimulus_set.name,
                              stimulus_set_hash=stimulus_set.hash, name=args.name)
        count = store.put_item_covariates(rows)
        print(f"stored {count} covariates for {stimulus_set.name} (source {rows[0]['source']}) "
              f"in {store.url}", file=sys.stderr)
    return 0
