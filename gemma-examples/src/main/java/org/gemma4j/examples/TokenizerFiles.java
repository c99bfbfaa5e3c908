package org.gemma4j.examples;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gemma4j.gguf.GgufFile;
import org.gemma4j.tokenizer.GemmaTokenizer;

/** Opens a tokenizer from a GGUF model or a Hugging Face {@code tokenizer.json}, telling them apart by content. */
final class TokenizerFiles {
    private TokenizerFiles() {}

    static GemmaTokenizer open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("tokenizer file not found: " + file);
        }
        byte[] magic;
        try (InputStream in = Files.newInputStream(file)) {
            magic = in.readNBytes(4);
        }
        if (magic.length == 4 && magic[0] == 'G' && magic[1] == 'G' && magic[2] == 'U' && magic[3] == 'F') {
            try (GgufFile gguf = GgufFile.open(file)) {
                return GemmaTokenizer.fromGgufMetadata(gguf.metadata());
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": " + e.getMessage(), e);
            }
        }
        try {
            return GemmaTokenizer.fromTokenizerJson(file);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw new IOException(file + ": neither a GGUF file nor a valid tokenizer.json ("
                    + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
    }
}
