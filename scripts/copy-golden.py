#!/usr/bin/env python3
"""Copies the golden models the unit tests need from ../shared/golden into gemma-core's test resources.

Keeps the total small (< 32 MB): every quantized, F16 and BF16 model; for each, the llama.cpp logits of the
first 5 sequences (122 rows: enough for stable p90 statistics), the float64 reference (its 4 sequences, 58 rows),
and an index JSON without the bulky provenance.
The F32 models and all 6 sequences run from ../shared/golden with `./mvnw verify -Pgolden-full`.
"""
import json, os, shutil, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
src = os.path.join(root, '..', 'shared', 'golden')
dst = os.path.join(root, 'gemma-core', 'src', 'test', 'resources', 'golden')
os.makedirs(dst, exist_ok=True)
models = [f'tiny-e2b-{t}' for t in ('f16', 'bf16', 'Q8_0', 'Q4_0', 'Q4_K_M', 'Q6_K')] + \
         [f'tiny-31b-{t}' for t in ('Q8_0', 'Q4_0', 'Q4_K_M', 'Q6_K')] + \
         [f'tiny-moe-{t}' for t in ('Q8_0', 'Q4_0', 'Q4_K_M')]
N_SEQ = 5
for m in models:
    shutil.copyfile(os.path.join(src, m + '.gguf'), os.path.join(dst, m + '.gguf'))
    idx = json.load(open(os.path.join(src, m + '.json')))
    n_vocab = idx['n_vocab']
    seqs = idx['sequences'][:N_SEQ]
    rows = sum(s['n'] for s in seqs)
    keep = {k: idx[k] for k in ('format', 'model', 'model_sha256', 'preset', 'weight_type', 'n_vocab', 'config') if k in idx}
    keep['sequences'] = seqs
    keep['logits_rows'] = rows
    json.dump(keep, open(os.path.join(dst, m + '.json'), 'w'), separators=(',', ':'))
    for kind in ('logits', 'float-ref'):
        data = open(os.path.join(src, f'{m}.{kind}.f32'), 'rb').read()
        open(os.path.join(dst, f'{m}.{kind}.f32'), 'wb').write(data[:rows * n_vocab * 4])  # float-ref is shorter
    dq = json.load(open(os.path.join(src, m + '.dequant.json')))
    slim = [{k: t[k] for k in ('name', 'type', 'ne', 'sha256_f32')} for t in dq['tensors']]
    json.dump({'tensors': slim}, open(os.path.join(dst, m + '.dequant.json'), 'w'), separators=(',', ':'))
total = sum(os.path.getsize(os.path.join(dst, f)) for f in os.listdir(dst))
print(f'{len(models)} models, {total / 1e6:.1f} MB in {dst}')
