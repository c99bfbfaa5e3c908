#!/usr/bin/env python3
"""Writes gemma-core/src/test/resources/golden/random-blocks.dequant.json: seeded random blocks of every block type
gemma4j implements, with their dequantization by two independent numpy references.

The golden models only contain some storage types (no Q4_1, Q2_K, Q3_K, IQ4_NL, IQ4_XS; little Q5_1/Q5_K), so
these blocks complete the bit-exactness check. References: ../shared/golden/gemma4_ref.py (bit-exact with ggml for
the legacy and K types it knows) and gguf-py's quants.py (llama.cpp's own Python package, tested bit-exact against
ggml; pass the directory holding its `gguf` package as the first argument). Where both know a type they must agree.
"""
import hashlib, json, os, sys
import numpy as np

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(root, '..', 'shared', 'golden'))
import gemma4_ref  # noqa: E402
sys.path.insert(0, sys.argv[1])
from gguf import quants  # noqa: E402
from gguf.constants import GGMLQuantizationType as Q  # noqa: E402

# type: (ggml id, block values, block bytes, positive fp16 scale offsets, signed fp16 offsets)
TYPES = {
    'Q4_0': (2, 32, 18, [0], []), 'Q4_1': (3, 32, 20, [0], [2]), 'Q5_0': (6, 32, 22, [0], []),
    'Q5_1': (7, 32, 24, [0], [2]), 'Q8_0': (8, 32, 34, [0], []), 'Q2_K': (10, 256, 84, [80, 82], []),
    'Q3_K': (11, 256, 110, [108], []), 'Q4_K': (12, 256, 144, [0, 2], []), 'Q5_K': (13, 256, 176, [0, 2], []),
    'Q6_K': (14, 256, 210, [208], []), 'IQ4_NL': (20, 32, 18, [0], []), 'IQ4_XS': (23, 256, 136, [0], []),
}
BLOCKS = 8

rng = np.random.Generator(np.random.PCG64(20260))
out = []
for name, (tid, n, nbytes, scales, signed) in TYPES.items():
    raw = rng.integers(0, 256, size=(BLOCKS, nbytes), dtype=np.uint8)
    for off in scales:
        raw[:, off:off + 2] = rng.uniform(1e-3, 1e-1, BLOCKS).astype(np.float16).view(np.uint8).reshape(BLOCKS, 2)
    for off in signed:
        raw[:, off:off + 2] = rng.uniform(-0.5, 0.5, BLOCKS).astype(np.float16).view(np.uint8).reshape(BLOCKS, 2)
    ref = quants.dequantize(raw.reshape(-1), Q(tid)).astype(np.float32).reshape(-1)
    if tid not in (10, 11, 20, 23):  # gemma4_ref.py lacks Q2_K, Q3_K, IQ4_NL, IQ4_XS
        other = gemma4_ref.dequant(raw.reshape(-1), tid).astype(np.float32)
        assert ref.tobytes() == other.tobytes(), name + ': the two references disagree'
    assert np.isfinite(ref).all(), name
    out.append({'type': name, 'ne': [BLOCKS * n], 'hex': raw.tobytes().hex(),
                'sha256_f32': hashlib.sha256(ref.astype('<f4').tobytes()).hexdigest(),
                'first': [float(v) for v in ref[:4]]})
    print(name, 'ok')
dst = os.path.join(root, 'gemma-core', 'src', 'test', 'resources', 'golden', 'random-blocks.dequant.json')
json.dump({'note': 'seeded random blocks, dequantized by gemma4_ref.py and gguf-py (scripts/block-refs.py)', 'blocks': out},
          open(dst, 'w'), separators=(',', ':'))
print(dst, os.path.getsize(dst), 'bytes')
