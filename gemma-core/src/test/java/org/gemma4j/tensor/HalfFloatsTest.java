package org.gemma4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HalfFloatsTest {
    @Test
    void everyHalfBecomesExactlyItsFloat() {
        short[] all = new short[65536 + 3];
        for (int i = 0; i < all.length; i++) {
            all[i] = (short) i;
        }
        float[] floats = new float[all.length + 1];
        HalfFloats.toFloats(all, 0, all.length, floats, 1); // a length past the vectors: the tail too
        for (int i = 0; i < all.length; i++) {
            float expected = Float.float16ToFloat(all[i]);
            String at = "f16 0x" + Integer.toHexString(all[i] & 0xFFFF);
            if (Float.isNaN(expected)) { // float16ToFloat sets the quiet bit; a NaN is a NaN
                assertTrue(Float.isNaN(floats[i + 1]), at);
            } else { // zeros, subnormals, normals, infinities: the very bits
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(floats[i + 1]), at);
            }
        }
    }
}
