"""The table of benchmarks/kernel_split.sh: bench JSONs named <setting>-<round>.json in one folder."""
import json
import statistics
import sys
from pathlib import Path


SETTINGS = ("tpq", "libtorch", "malloc", "full")
HEADINGS = {"libtorch": "LibTorch kernels", "malloc": "glibc default malloc", "full": "full last layer"}


def main() -> None:
    folder, rounds = Path(sys.argv[1]), int(sys.argv[2])
    runs = {(s, r): json.loads((folder / f"{s}-{r}.json").read_text()) for s in SETTINGS for r in range(rounds)}
    first = runs[("tpq", 0)]
    others = SETTINGS[1:]
    print(f"bert-base shape, seq 128, {first['threads']} threads, {rounds} rotating rounds; kernels: {first['kernels']}")
    print("| variant | batch | tpq ms | " + " | ".join(f"{HEADINGS[o]} ms" for o in others) + " | "
          + " | ".join(f"{HEADINGS[o]} / tpq" for o in others) + " |")
    print("|---|---|---|" + "---|" * (2 * len(others)))
    for row in first["rows"]:
        key = (row["variant"], row["batch_size"], row["sequence_length"])

        def ms(setting: str, r: int) -> float:
            for other in runs[(setting, r)]["rows"]:
                if (other["variant"], other["batch_size"], other["sequence_length"]) == key:
                    return other["median_ms"]
            raise SystemExit(f"kernel_split_table.py: {setting} round {r} has no row {key}")

        cells = [f"{statistics.median(ms(s, r) for r in range(rounds)):.1f}" for s in SETTINGS]
        ratios = []
        for other in others:
            per_round = [ms(other, r) / ms("tpq", r) for r in range(rounds)]
            ratios.append(f"{statistics.median(per_round):.2f} ({min(per_round):.2f}-{max(per_round):.2f})")
        print(f"| {key[0]} | {key[1]} | " + " | ".join(cells + ratios) + " |")


if __name__ == "__main__":
    main()
