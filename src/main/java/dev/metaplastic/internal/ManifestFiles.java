package dev.metaplastic.internal;

import static dev.metaplastic.savedmodel.SavedModels.MANIFEST;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.graphs.Manifests;
import dev.metaplastic.graphs.proto.Manifest;
import dev.metaplastic.interop.SavedModelInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a SavedModel's manifest ({@code assets/metaplastic.pbtxt}) as the protobuf message it is
 * stored as; the façade describes it with {@code SavedModels.describe}. Not part of the API.
 */
public final class ManifestFiles {
  private ManifestFiles() {}

  /**
   * Reads the manifest of a Metaplastic SavedModel, as stored.
   *
   * @throws IllegalArgumentException if {@code dir} is not a SavedModel, not a Metaplastic one, or
   *     its manifest is unreadable
   */
  public static Manifest read(Path dir) {
    SavedModelInfo.checkLayout(dir);
    Path file = dir.resolve(MANIFEST);
    InvalidInputException.check(
        Files.isRegularFile(file),
        "%s is a SavedModel but not a Metaplastic one: it has no %s (inspect it, or import its"
            + " weights)",
        dir,
        MANIFEST);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      throw new InvalidInputException(file + " is not a valid manifest: it is not UTF-8 text", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return InvalidInputException.validating(
        "", () -> Manifests.parseManifest(text, file.toString()));
  }
}
