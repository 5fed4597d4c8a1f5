package dev.metaplastic.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SavedModelInfo} on the SavedModels written by Python TensorFlow 1 and 2. */
class SavedModelInfoTest {
  private static SavedModelInfo halfPlusTwo;
  private static SavedModelInfo tfFunction;

  @TempDir Path temp;

  @BeforeAll
  static void open() {
    halfPlusTwo = SavedModelInfo.open(Fixtures.pythonTf("half_plus_two_v1"));
    tfFunction = SavedModelInfo.open(Fixtures.pythonTf("tf_function_v2"));
  }

  @AfterAll
  static void close() {
    if (halfPlusTwo != null) {
      halfPlusTwo.close();
    }
    if (tfFunction != null) {
      tfFunction.close();
    }
  }

  @Test
  void halfPlusTwoListsItsSignatures() {
    assertEquals(
        List.of(
            "classify_x2_to_y3",
            "classify_x_to_y",
            "regress_x2_to_y3",
            "regress_x_to_y",
            "regress_x_to_y2",
            "serving_default"),
        halfPlusTwo.signatures().stream().map(SignatureInfo::key).toList());
    SignatureInfo serving = halfPlusTwo.signature("serving_default");
    assertEquals("tensorflow/serving/predict", serving.methodName());
    assertEquals(
        List.of(new TensorInfo("x", "x:0", "float32", List.of(-1L, 1L))), serving.inputs());
    assertEquals(
        List.of(new TensorInfo("y", "y:0", "float32", List.of(-1L, 1L))), serving.outputs());
    TensorInfo example = halfPlusTwo.signature("regress_x_to_y").input("inputs").orElseThrow();
    assertEquals("string", example.dtype());
    assertEquals("tf_example:0", example.tensorName());
  }

  @Test
  void halfPlusTwoComputesHalfXPlusTwo() {
    Map<String, float[]> out =
        halfPlusTwo.call(
            "serving_default", Map.of("x", new float[] {1, 2, 5}), Map.of("x", new long[] {3, 1}));
    assertEquals(List.of("y"), List.copyOf(out.keySet()));
    assertArrayEquals(new float[] {2.5f, 3.0f, 4.5f}, out.get("y"));
    // Without a shape, the one unknown dimension is inferred from the number of values.
    assertArrayEquals(
        new float[] {2.5f, 3.0f, 4.5f},
        halfPlusTwo.call("serving_default", Map.of("x", new float[] {1, 2, 5}), Map.of()).get("y"));
  }

  @Test
  void halfPlusTwoListsItsVariables() {
    assertEquals(
        List.of(
            new VariableInfo("a", "float32", List.of(), "ref"),
            new VariableInfo("b", "float32", List.of(), "ref"),
            new VariableInfo("c", "float32", List.of(), "ref"),
            new VariableInfo("filename_tensor", "string", List.of(), "ref")),
        halfPlusTwo.variables());
    assertArrayEquals(new float[] {0.5f}, halfPlusTwo.readFloat("a"));
    assertArrayEquals(new float[] {2.0f}, halfPlusTwo.readFloat("b"));
    assertArrayEquals(new float[] {3.0f}, halfPlusTwo.readFloat("c"));
  }

  @Test
  void tfFunctionAddsAndReadsItsVariable() {
    SignatureInfo add = tfFunction.signature("add");
    assertEquals(List.of("a", "b"), add.inputs().stream().map(TensorInfo::key).toList());
    assertNull(add.inputs().get(0).shape(), "Python saved 'a' without a rank");
    assertFalse(add.inputs().get(0).rankKnown());
    Map<String, long[]> scalars = Map.of("a", new long[0], "b", new long[0]);
    assertArrayEquals(
        new float[] {5f},
        tfFunction
            .call("add", Map.of("a", new float[] {2}, "b", new float[] {3}), scalars)
            .get("output_0"));
    assertArrayEquals(
        new float[] {2f},
        tfFunction
            .call("get_variable", Map.of("dummy", new float[] {0}), Map.of("dummy", new long[0]))
            .get("output_0"));
    assertEquals(
        List.of(new VariableInfo("Variable", "float32", List.of(), "resource")),
        tfFunction.variables());
    assertArrayEquals(new float[] {2f}, tfFunction.readFloat("Variable"));
    assertArrayEquals(new float[] {2f}, tfFunction.readFloat("Variable"), "cached read");
  }

  @Test
  void unknownSignatureIsNamedWithTheAvailableOnes() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> halfPlusTwo.call("predict", Map.of("x", new float[] {1}), Map.of()));
    assertTrue(e.getMessage().contains("no signature 'predict'"), e.getMessage());
    assertTrue(e.getMessage().contains("serving_default"), e.getMessage());
  }

  @Test
  void unknownAndMissingInputsAreNamed() {
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class,
            () -> halfPlusTwo.call("serving_default", Map.of("z", new float[] {1}), Map.of()));
    assertTrue(unknown.getMessage().contains("no input 'z'"), unknown.getMessage());
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class,
            () -> tfFunction.call("add", Map.of("a", new float[] {1}), Map.of("a", new long[0])));
    assertTrue(missing.getMessage().contains("needs input 'b'"), missing.getMessage());
    IllegalArgumentException noRank =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                tfFunction.call(
                    "add", Map.of("a", new float[] {1}, "b", new float[] {1}), Map.of()));
    assertTrue(noRank.getMessage().contains("unknown rank"), noRank.getMessage());
  }

  @Test
  void wrongInputShapeNamesExpectedAndActual() {
    IllegalArgumentException rank =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                halfPlusTwo.call(
                    "serving_default",
                    Map.of("x", new float[] {1, 2, 5}),
                    Map.of("x", new long[] {3})));
    assertTrue(rank.getMessage().contains("expects shape [-1, 1], got [3]"), rank.getMessage());
    IllegalArgumentException dim =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                halfPlusTwo.call(
                    "serving_default",
                    Map.of("x", new float[] {1, 2, 5, 6}),
                    Map.of("x", new long[] {2, 2})));
    assertTrue(dim.getMessage().contains("expects shape [-1, 1], got [2, 2]"), dim.getMessage());
    IllegalArgumentException count =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                halfPlusTwo.call(
                    "serving_default",
                    Map.of("x", new float[] {1, 2}),
                    Map.of("x", new long[] {3, 1})));
    assertTrue(count.getMessage().contains("(3 values), got 2 values"), count.getMessage());
  }

  @Test
  void nonFloatInputNamesItsDtype() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> halfPlusTwo.call("regress_x_to_y", Map.of("inputs", new float[] {1}), Map.of()));
    assertTrue(e.getMessage().contains("input 'inputs'"), e.getMessage());
    assertTrue(e.getMessage().contains("dtype string"), e.getMessage());
  }

  @Test
  void unknownOrNonFloatVariableIsRefused() {
    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> halfPlusTwo.readFloat("d"));
    assertTrue(unknown.getMessage().contains("no variable 'd'"), unknown.getMessage());
    IllegalArgumentException string =
        assertThrows(
            IllegalArgumentException.class, () -> halfPlusTwo.readFloat("filename_tensor"));
    assertTrue(string.getMessage().contains("dtype string"), string.getMessage());
  }

  @Test
  void missingDirectoryIsRefused() {
    Path missing = temp.resolve("nowhere");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SavedModelInfo.open(missing));
    assertEquals("SavedModel directory " + missing + " does not exist", e.getMessage());
  }

  @Test
  void directoryWithoutSavedModelPbIsRefused() throws IOException {
    Files.writeString(temp.resolve("notes.txt"), "not a model");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SavedModelInfo.open(temp));
    assertEquals(temp + " is not a SavedModel: no saved_model.pb", e.getMessage());
  }

  @Test
  void dataWithoutIndexIsRefused() throws IOException {
    Path copy = Fixtures.copyTree(Fixtures.pythonTf("half_plus_two_v1"), temp.resolve("m"));
    Files.delete(copy.resolve("variables/variables.index"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SavedModelInfo.open(copy));
    assertEquals(
        copy + " is not a complete SavedModel: variables/ holds data files but no variables.index",
        e.getMessage());
  }

  @Test
  void garbageSavedModelPbIsRefusedByTensorFlow() throws IOException {
    Path copy = Fixtures.copyTree(Fixtures.pythonTf("half_plus_two_v1"), temp.resolve("m"));
    Files.write(copy.resolve("saved_model.pb"), new byte[] {1, 2, 3, 4, 5, 6, 7});
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SavedModelInfo.open(copy));
    assertTrue(
        e.getMessage()
            .startsWith(
                "cannot load SavedModel " + copy + " (its graph or variables are damaged): "),
        e.getMessage());
  }

  @Test
  void truncatedVariablesFailToLoadAndNothingOnDiskChanges() throws IOException {
    Path copy = Fixtures.copyTree(Fixtures.pythonTf("half_plus_two_v1"), temp.resolve("m"));
    Path data = copy.resolve("variables/variables.data-00000-of-00001");
    long size = Files.size(data);
    try (FileChannel channel = FileChannel.open(data, StandardOpenOption.WRITE)) {
      channel.truncate(size / 2);
    }
    Map<String, String> before = Fixtures.snapshot(copy);

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SavedModelInfo.open(copy));

    assertTrue(
        e.getMessage()
            .startsWith(
                "cannot load SavedModel " + copy + " (its graph or variables are damaged): "),
        e.getMessage());
    assertTrue(e.getMessage().contains("Read less bytes than requested"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    assertEquals(before, Fixtures.snapshot(copy));
  }

  @Test
  void closedModelRefusesCalls() {
    SavedModelInfo model = SavedModelInfo.open(Fixtures.pythonTf("half_plus_two_v1"));
    model.close();
    model.close();
    assertThrows(IllegalStateException.class, () -> model.readFloat("a"));
  }
}
