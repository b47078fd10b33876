#!/usr/bin/env python3
"""Compares the measured quality fields of two results trees, for refactors that must not change numbers.

    scripts/compare_results.py BEFORE_RESULTS AFTER_RESULTS [--report BEFORE.md AFTER.md]

For every results/<experiment>/metrics.json in either tree, and every row ("variants", or the record
itself), prints each accuracy / F1 / precision / recall / confusion matrix / size field that differs
(exact comparison). With --report, diffs the two lab reports after masking timings (latency, throughput,
seconds, minutes, peak memory, dates), which legitimately change from run to run. Exit status 1 on any
difference.
"""
import argparse
import difflib
import json
import pathlib
import re
import sys

FIELDS = [('metrics', k) for k in ('accuracy', 'f1', 'precision', 'recall', 'macro_f1', 'count', 'confusion_matrix')] + \
         [('size', k) for k in ('file_bytes', 'file_mb', 'weights_bytes', 'params', 'nonzero_params', 'sparsity')]


def rows(path):
    record = json.loads(path.read_text(encoding='utf-8'))
    return {row.get('variant'): row for row in record.get('variants') or [record]}


def compare_trees(before, after):
    differences = 0
    names = sorted({p.parent.name for p in before.glob('*/metrics.json')} | {p.parent.name for p in after.glob('*/metrics.json')})
    for name in names:
        a, b = before / name / 'metrics.json', after / name / 'metrics.json'
        if not a.exists() or not b.exists():
            print(f'{name}: metrics.json only in {"after" if b.exists() else "before"}')
            differences += 1
            continue
        ra, rb = rows(a), rows(b)
        for variant in sorted(set(ra) | set(rb), key=str):
            if variant not in ra or variant not in rb:
                print(f'{name}/{variant}: row only in {"after" if variant in rb else "before"}')
                differences += 1
                continue
            for section, key in FIELDS:
                va, vb = ra[variant].get(section, {}).get(key), rb[variant].get(section, {}).get(key)
                if va != vb:
                    print(f'{name}/{variant}: {section}.{key} {va} -> {vb}')
                    differences += 1
        print(f'{name}: {len(ra)} row(s) compared')
    return differences


# Timings and what is computed from them: "4.024 ms", "177.7 s", "0.90x" (speed-ups), latency cells
# (3 decimals) in tables, dates. Compression ratios are x-values too; they are compared through the
# metrics.json sizes above.
TIMING = [r'\d+(\.\d+)?(?=（p50)', r'\d+(\.\d+)? ?(ms|s|秒|分钟|MB/s|样本/秒)(?![a-zA-Z])', r'-?\d+(\.\d+)?x\b', r'\d{4}-\d{2}-\d{2}(T[\d:]+Z)?']


def masked(text):
    lines = []
    for line in text.splitlines():
        for pattern in TIMING:
            line = re.sub(pattern, '<t>', line)
        if line.startswith('|'):
            line = re.sub(r'\| \d+\.\d{3} \|', '| <t> |', line)
        lines.append(line)
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('before', type=pathlib.Path)
    parser.add_argument('after', type=pathlib.Path)
    parser.add_argument('--report', nargs=2, type=pathlib.Path, metavar=('BEFORE_MD', 'AFTER_MD'))
    args = parser.parse_args()
    differences = compare_trees(args.before, args.after)
    if args.report:
        a, b = (masked(p.read_text(encoding='utf-8')) for p in args.report)
        diff = list(difflib.unified_diff(a, b, str(args.report[0]), str(args.report[1]), lineterm='', n=0))
        print('\n'.join(diff) if diff else 'reports identical apart from timings')
        differences += sum(1 for line in diff if line[:1] in '+-' and not line.startswith(('+++', '---')))
    print(f'{differences} difference(s)')
    return 1 if differences else 0


if __name__ == '__main__':
    sys.exit(main())
