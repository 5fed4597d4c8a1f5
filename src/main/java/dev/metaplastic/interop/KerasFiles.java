package dev.metaplastic.interop;

import static com.google.common.base.Preconditions.checkArgument;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads the two Keras file formats: the native {@code .keras} archive of Keras 3 ({@code
 * model.save("m.keras")}: a zip of {@code config.json} and {@code model.weights.h5}) and the legacy
 * HDF5 file ({@code model.save("m.h5")}: the configuration in the root attribute {@code
 * model_config}, the weights under {@code model_weights/<layer>/}, listed by each layer group's
 * {@code weight_names} attribute). HDF5 is read with jHDF, a pure-Java reader; the file is read
 * whole and closed before this returns.
 */
final class KerasFiles {
  /** The name a format records its configuration under, for messages and the manifest. */
  static final String KERAS_CONFIG = "config.json";

  static final String H5_CONFIG = "model_config";

  private KerasFiles() {}

  /**
   * Reads a {@code .keras} archive.
   *
   * @throws IllegalArgumentException if the file is not a readable Keras archive
   */
  static KerasConfig.Model readKeras(Path file) {
    try (ZipFile zip = new ZipFile(file.toFile())) {
      String config = new String(entry(zip, KERAS_CONFIG, file), StandardCharsets.UTF_8);
      byte[] h5 = entry(zip, "model.weights.h5", file);
      try (HdfFile hdf = HdfFile.fromBytes(h5)) {
        return KerasConfig.read(
            config,
            (layer, key, index, name) ->
                weight(hdf, "layers/" + key + "/vars/" + index, file, layer),
            file.toString());
      }
    } catch (ZipException e) {
      throw new IllegalArgumentException(
          file
              + " is not a .keras archive (not a zip file); Keras 3 writes one with"
              + " model.save(\"model.keras\")",
          e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    } catch (HdfException e) {
      throw new IllegalArgumentException(
          file + ": its model.weights.h5 cannot be read: " + e.getMessage(), e);
    }
  }

  /**
   * Reads a legacy Keras {@code .h5} file.
   *
   * @throws IllegalArgumentException if the file is not a Keras HDF5 model file
   */
  static KerasConfig.Model readH5(Path file) {
    try (HdfFile hdf = new HdfFile(file)) {
      Attribute attribute = hdf.getAttribute(H5_CONFIG);
      checkArgument(
          attribute != null,
          "%s is an HDF5 file without a model_config attribute: a weights-only file"
              + " (save_weights) or not a Keras model; save the whole model with"
              + " model.save(\"model.keras\")",
          file);
      String config = text(attribute.getData());
      KerasConfig.Weights weights =
          (layer, key, index, name) -> {
            Node group = hdf.getByPath("model_weights/" + layer);
            Attribute names = group.getAttribute("weight_names");
            checkArgument(names != null, "%s: model_weights/%s lists no weight_names", file, layer);
            String[] list = strings(names.getData());
            checkArgument(
                index < list.length,
                "%s: layer '%s' has %s weights, expected a %s",
                file,
                layer,
                list.length,
                name);
            return weight(hdf, "model_weights/" + layer + "/" + list[index], file, layer);
          };
      return KerasConfig.read(config, weights, file.toString());
    } catch (HdfException e) {
      throw new IllegalArgumentException(
          file + " is not a readable HDF5 file: " + e.getMessage(), e);
    }
  }

  private static KerasConfig.Weight weight(HdfFile hdf, String path, Path file, String layer) {
    Node node;
    try {
      node = hdf.getByPath(path);
    } catch (HdfException e) {
      throw new IllegalArgumentException(
          file + ": layer '" + layer + "' has no weight " + path + " in its weights file", e);
    }
    checkArgument(node instanceof Dataset, "%s: %s is not a dataset", file, path);
    Dataset dataset = (Dataset) node;
    Object data = dataset.getDataFlat();
    checkArgument(
        data instanceof float[],
        "%s: weight %s holds %s values; only float32 weights import",
        file,
        path,
        dataset.getJavaType().getSimpleName());
    List<Long> shape = new ArrayList<>();
    for (int d : dataset.getDimensions()) {
      shape.add((long) d);
    }
    return new KerasConfig.Weight(path, shape, (float[]) data);
  }

  private static byte[] entry(ZipFile zip, String name, Path file) throws IOException {
    ZipEntry entry = zip.getEntry(name);
    checkArgument(
        entry != null, "%s is a zip file without %s: not a Keras 3 .keras archive", file, name);
    try (InputStream in = zip.getInputStream(entry)) {
      return in.readAllBytes();
    }
  }

  private static String text(Object data) {
    if (data instanceof String s) {
      return s;
    }
    if (data instanceof String[] a && a.length == 1) {
      return a[0];
    }
    throw new IllegalArgumentException("model_config is not a string");
  }

  private static String[] strings(Object data) {
    if (data instanceof String[] a) {
      return a;
    }
    if (data instanceof String s) {
      return new String[] {s};
    }
    return new String[0];
  }

  /** Whether a file starts with the HDF5 signature. */
  static boolean isHdf5(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(8);
      return head.length == 8 && head[1] == 'H' && head[2] == 'D' && head[3] == 'F';
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
