/**
 * Tool calling for Gemma 4: register Java methods or lambdas as tools ({@link org.gemma4j.tools.Tools}), with JSON
 * schemas derived from Java types ({@link org.gemma4j.tools.JsonSchemaGenerator}); run the call loop with
 * {@link org.gemma4j.tools.ToolAgent}; and constrain decoding so that every call the model writes is valid and
 * matches its schema. {@link org.gemma4j.tools.StructuredOutput} uses the same machinery for JSON answers.
 */
package org.gemma4j.tools;
