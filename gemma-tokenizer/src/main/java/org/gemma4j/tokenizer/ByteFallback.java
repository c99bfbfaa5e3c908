package org.gemma4j.tokenizer;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes a run of byte-fallback tokens as Hugging Face's Rust {@code ByteFallback} decoder does: valid UTF-8
 * becomes its text; otherwise every byte of the run becomes one U+FFFD (valid bytes in it included).
 */
final class ByteFallback {
    private ByteFallback() {}

    static void decode(byte[] bytes, int n, StringBuilder out) {
        if (n == 0) {
            return;
        }
        try {
            out.append(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, n)));
        } catch (CharacterCodingException e) {
            out.repeat('\uFFFD', n);
        }
    }
}
