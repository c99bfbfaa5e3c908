package org.gemma4j.model;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.gemma4j.gguf.GgufFile;
import org.gemma4j.gguf.GgufFormatException;

/**
 * The Gemma 4 text-decoder hyper-parameters (spec §1.1), read from GGUF metadata. Per-layer values are
 * resolved to arrays whatever the file stores (a scalar or a per-layer array). Treat as immutable: the arrays are
 * shared, not copied, and must not be modified. Thread-safe.
 *
 * @param nLayer decoder layers {@code L}
 * @param nEmbd hidden size {@code H}
 * @param nHead query heads
 * @param nHeadKv KV heads per layer
 * @param headDimSwa head dim of sliding layers
 * @param headDimFull head dim of global layers
 * @param nFf MLP width per layer
 * @param sliding true where layer {@code l} is a sliding-window layer
 * @param slidingWindow window {@code W}: a query at {@code p} sees keys {@code p-W+1 .. p}
 * @param ropeBaseFull RoPE base of global layers
 * @param ropeBaseSwa RoPE base of sliding layers
 * @param nRotFull rotary dims of global layers (frequencies relative to this; see rope_freqs)
 * @param nRotSwa rotary dims of sliding layers
 * @param rmsEps RMSNorm epsilon
 * @param finalLogitSoftcap {@code c} in {@code c·tanh(logits/c)}, 0 for none
 * @param sharedKvLayers the last this many layers reuse KV of earlier layers
 * @param nEmbdPerLayer per-layer-embedding width {@code P} (0: no PLE)
 * @param nExpert experts (0: dense)
 * @param nExpertUsed experts per token
 * @param nFfExpert expert MLP width
 * @param contextLength trained context length
 */
public record Gemma4Config(
        int nLayer, int nEmbd, int nHead, int[] nHeadKv, int headDimSwa, int headDimFull, int[] nFf,
        boolean[] sliding, int slidingWindow, float ropeBaseFull, float ropeBaseSwa, int nRotFull, int nRotSwa,
        float rmsEps, float finalLogitSoftcap, int sharedKvLayers, int nEmbdPerLayer,
        int nExpert, int nExpertUsed, int nFfExpert, int contextLength) {

    public static final String ARCH = "gemma4";

    /** Reads the config of a {@code gemma4} GGUF. */
    public static Gemma4Config from(GgufFile gguf) throws GgufFormatException {
        return from(gguf.path(), gguf.metadata());
    }

    static Gemma4Config from(Path file, Map<String, Object> md) throws GgufFormatException {
        Keys k = new Keys(file, md);
        String arch = k.string("general.architecture");
        if (!ARCH.equals(arch)) {
            throw new GgufFormatException(file, "general.architecture is '" + arch + "', expected '" + ARCH + "'");
        }
        int nLayer = k.positiveInt("block_count");
        int nEmbd = k.positiveInt("embedding_length");
        int nHead = k.positiveInt("attention.head_count");
        int[] nHeadKv = k.perLayer("attention.head_count_kv", nLayer);
        int hdFull = k.positiveInt("attention.key_length");
        int hdSwa = k.optInt("attention.key_length_swa", hdFull);
        if (k.optInt("attention.value_length", hdFull) != hdFull || k.optInt("attention.value_length_swa", hdSwa) != hdSwa) {
            throw new GgufFormatException(file, "attention.value_length(_swa) must equal attention.key_length(_swa)");
        }
        int[] nFf = k.perLayer("feed_forward_length", nLayer);
        boolean[] sliding = k.slidingPattern(nLayer);
        int window = k.positiveInt("attention.sliding_window");
        float baseFull = k.optFloat("rope.freq_base", 10000f);
        float baseSwa = k.optFloat("rope.freq_base_swa", baseFull);
        int nRotFull = k.optInt("rope.dimension_count", hdFull);
        int nRotSwa = k.optInt("rope.dimension_count_swa", hdSwa);
        float eps = k.optFloat("attention.layer_norm_rms_epsilon", 1e-6f);
        float softcap = k.optFloat("final_logit_softcapping", 0f);
        int shared = k.optInt("attention.shared_kv_layers", 0);
        int ple = k.optInt("embedding_length_per_layer_input", 0);
        int nExpert = k.optInt("expert_count", 0);
        int nExpertUsed = k.optInt("expert_used_count", 0);
        int nFfExp = k.optInt("expert_feed_forward_length", 0);
        int ctx = k.optInt("context_length", 8192);

        for (int l = 0; l < nLayer; l++) {
            if (nHeadKv[l] <= 0 || nHead % nHeadKv[l] != 0) {
                throw new GgufFormatException(file, "layer " + l + ": head_count " + nHead
                        + " is not a multiple of head_count_kv " + nHeadKv[l]);
            }
        }
        if (nRotFull > hdFull || nRotSwa > hdSwa || nRotFull % 2 != 0 || nRotSwa % 2 != 0) {
            throw new GgufFormatException(file, "rope.dimension_count(_swa) " + nRotFull + "/" + nRotSwa
                    + " must be even and at most the head dim " + hdFull + "/" + hdSwa);
        }
        if (shared < 0 || shared >= nLayer) {
            throw new GgufFormatException(file, "attention.shared_kv_layers " + shared + " out of range for " + nLayer + " layers");
        }
        if (shared > 0) {
            int nKv = nLayer - shared;
            // Donors (spec §2.5): the last non-shared global layer and the last non-shared sliding one.
            if (nKv < 2 || sliding[nKv - 1] || !sliding[nKv - 2]) {
                throw new GgufFormatException(file, "KV sharing needs layer " + (nKv - 1) + " global and layer "
                        + (nKv - 2) + " sliding (shared_kv_layers " + shared + ")");
            }
        }
        if (nExpert > 0 && (nExpertUsed <= 0 || nExpertUsed > nExpert || nFfExp <= 0)) {
            throw new GgufFormatException(file, "expert_used_count " + nExpertUsed + " / expert_feed_forward_length "
                    + nFfExp + " invalid for expert_count " + nExpert);
        }
        return new Gemma4Config(nLayer, nEmbd, nHead, nHeadKv, hdSwa, hdFull, nFf, sliding, window, baseFull,
                baseSwa, nRotFull, nRotSwa, eps, softcap, shared, ple, nExpert, nExpertUsed, nFfExp, ctx);
    }

    public boolean isSliding(int layer) {
        return sliding[layer];
    }

    public int headDim(int layer) {
        return sliding[layer] ? headDimSwa : headDimFull;
    }

    /** {@code nHeadKv[layer] * headDim(layer)}: the width of one position in this layer's KV cache. */
    public int kvDim(int layer) {
        return nHeadKv[layer] * headDim(layer);
    }

    /** Layers below this compute their own K/V; the rest reuse a donor's. */
    public int firstSharedLayer() {
        return nLayer - sharedKvLayers;
    }

    /** The layer whose KV cache {@code layer} attends over: itself, or its donor if KV-shared (spec §2.5). */
    public int kvSourceLayer(int layer) {
        int nKv = firstSharedLayer();
        if (layer < nKv) {
            return layer;
        }
        return nKv - (sliding[layer] ? 2 : 1);
    }

    public boolean hasPerLayerEmbeddings() {
        return nEmbdPerLayer > 0;
    }

    public boolean isMoe() {
        return nExpert > 0;
    }

    @Override
    public String toString() {
        return "Gemma4Config[layers=" + nLayer + ", embd=" + nEmbd + ", heads=" + nHead + ", kvHeads="
                + Arrays.toString(nHeadKv) + ", headDim=" + headDimSwa + "/" + headDimFull + ", ff=" + Arrays.toString(nFf)
                + ", window=" + slidingWindow + ", sharedKv=" + sharedKvLayers + ", ple=" + nEmbdPerLayer
                + ", experts=" + nExpert + "/" + nExpertUsed + "]";
    }

    /** Typed access to {@code gemma4.*} keys, with errors naming the key. */
    private record Keys(Path file, Map<String, Object> md) {
        String string(String key) throws GgufFormatException {
            Object v = md.get(key);
            if (!(v instanceof String s)) {
                throw new GgufFormatException(file, v == null ? "missing key " + key : "key " + key + " is not a string");
            }
            return s;
        }

        private Object require(String key) throws GgufFormatException {
            Object v = md.get(ARCH + "." + key);
            if (v == null) {
                throw new GgufFormatException(file, "missing key " + ARCH + "." + key);
            }
            return v;
        }

        int positiveInt(String key) throws GgufFormatException {
            Object v = require(key);
            int i = toInt(key, v);
            if (i <= 0) {
                throw new GgufFormatException(file, "key " + ARCH + "." + key + " must be positive, got " + i);
            }
            return i;
        }

        int optInt(String key, int def) throws GgufFormatException {
            Object v = md.get(ARCH + "." + key);
            return v == null ? def : toInt(key, v);
        }

        float optFloat(String key, float def) throws GgufFormatException {
            Object v = md.get(ARCH + "." + key);
            if (v == null) {
                return def;
            }
            if (!(v instanceof Number n)) {
                throw new GgufFormatException(file, "key " + ARCH + "." + key + " is not a number: " + v);
            }
            return n.floatValue();
        }

        private int toInt(String key, Object v) throws GgufFormatException {
            if (!(v instanceof Number n) || v instanceof Float || v instanceof Double) {
                throw new GgufFormatException(file, "key " + ARCH + "." + key + " is not an integer: " + describe(v));
            }
            long l = n.longValue();
            if (l < 0 || l > Integer.MAX_VALUE) {
                throw new GgufFormatException(file, "key " + ARCH + "." + key + " out of range: " + l);
            }
            return (int) l;
        }

        /** A key that is either one integer for every layer or an array of one per layer. */
        int[] perLayer(String key, int nLayer) throws GgufFormatException {
            Object v = require(key);
            int[] out = new int[nLayer];
            switch (v) {
                case int[] a -> {
                    checkLength(key, a.length, nLayer);
                    System.arraycopy(a, 0, out, 0, nLayer);
                }
                case long[] a -> {
                    checkLength(key, a.length, nLayer);
                    for (int i = 0; i < nLayer; i++) {
                        out[i] = toInt(key, a[i]);
                    }
                }
                default -> Arrays.fill(out, toInt(key, v));
            }
            for (int x : out) {
                if (x <= 0) {
                    throw new GgufFormatException(file, "key " + ARCH + "." + key + " has a non-positive entry: " + describe(v));
                }
            }
            return out;
        }

        /**
         * {@code attention.sliding_window_pattern}: a bool array (true = sliding) as llama.cpp writes it, or an
         * integer N meaning every N-th layer is global (the Gemma 3 convention some converters use).
         */
        boolean[] slidingPattern(int nLayer) throws GgufFormatException {
            String key = "attention.sliding_window_pattern";
            Object v = require(key);
            boolean[] out = new boolean[nLayer];
            if (v instanceof boolean[] a) {
                checkLength(key, a.length, nLayer);
                System.arraycopy(a, 0, out, 0, nLayer);
            } else if (v instanceof Number) {
                int period = toInt(key, v);
                if (period <= 0) {
                    throw new GgufFormatException(file, "key " + ARCH + "." + key + " must be positive, got " + period);
                }
                for (int l = 0; l < nLayer; l++) {
                    out[l] = (l + 1) % period != 0;
                }
            } else {
                throw new GgufFormatException(file, "key " + ARCH + "." + key + " must be a bool array, got " + describe(v));
            }
            return out;
        }

        private void checkLength(String key, int got, int nLayer) throws GgufFormatException {
            if (got != nLayer) {
                throw new GgufFormatException(file, "key " + ARCH + "." + key + " has " + got + " entries, expected one per layer (" + nLayer + ")");
            }
        }

        private static String describe(Object v) {
            return switch (v) {
                case int[] a -> Arrays.toString(a);
                case long[] a -> Arrays.toString(a);
                case boolean[] a -> Arrays.toString(a);
                default -> String.valueOf(v);
            };
        }
    }
}
