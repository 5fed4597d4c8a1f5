package dev.metaplastic.examples.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.metaplastic.serve.Predictor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Serves the repository's example SavedModel (784-64-64, five two-class heads) and its first ten
 * Fashion-MNIST test images over HTTP.
 */
class PredictionServerTest {
  private static final Path EXAMPLES = Path.of("..", "..", "saved-models");
  private static final Gson GSON = new Gson();

  private static Predictor predictor;
  private static PredictionServer server;
  private static HttpClient client;
  private static float[][] images;

  @BeforeAll
  static void serve() throws IOException {
    predictor = Predictor.open(EXAMPLES.resolve("split-fmnist-si"));
    server = PredictionServer.start(predictor, new InetSocketAddress("127.0.0.1", 0), 8);
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<String> lines = Files.readAllLines(EXAMPLES.resolve("inputs.csv"));
    images = new float[lines.size()][];
    for (int i = 0; i < images.length; i++) {
      String[] cells = lines.get(i).split(",");
      images[i] = new float[cells.length];
      for (int j = 0; j < cells.length; j++) {
        images[i][j] = Float.parseFloat(cells[j]);
      }
    }
  }

  @AfterAll
  static void stop() {
    server.close();
    predictor.close();
  }

  @Test
  void answersExactlyWhatThePredictorComputes() throws Exception {
    int[] task = new int[images.length]; // head 0 for every image
    HttpResponse<String> response = post(GSON.toJson(new PredictionServer.Request(images, task)));
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
    float[][] served =
        GSON.fromJson(response.body(), PredictionServer.Response.class).probabilities();
    float[][] direct = predictor.predict(images, task);
    for (int i = 0; i < images.length; i++) {
      assertArrayEquals(direct[i], served[i], 0f, "image " + i);
    }
    // And what the model gave when it was exported (rounded to 6 decimals in the CSV).
    List<String> expected = Files.readAllLines(EXAMPLES.resolve("expected-task0.csv"));
    for (int i = 0; i < images.length; i++) {
      String[] cells = expected.get(i).split(",");
      assertEquals(Float.parseFloat(cells[1]), served[i][0], 1e-6, "image " + i);
    }
  }

  @Test
  void eightClientsAtOnceGetTheirOwnAnswers() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      List<Future<Void>> done = new ArrayList<>();
      for (int c = 0; c < 8; c++) {
        int head = c % 5;
        done.add(
            clients.submit(
                () -> {
                  for (int r = 0; r < 25; r++) {
                    float[][] one = {images[(r + head) % images.length]};
                    int[] task = {head};
                    HttpResponse<String> response =
                        post(GSON.toJson(new PredictionServer.Request(one, task)));
                    assertEquals(200, response.statusCode(), response.body());
                    float[][] served =
                        GSON.fromJson(response.body(), PredictionServer.Response.class)
                            .probabilities();
                    assertArrayEquals(predictor.predict(one, task)[0], served[0], 0f);
                  }
                  return null;
                }));
      }
      for (Future<Void> f : done) {
        f.get();
      }
    } finally {
      clients.shutdown();
    }
  }

  @Test
  void describesTheModel() throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(uri(PredictionServer.MODEL)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    assertEquals(
        new PredictionServer.ModelInfo(784, 2, true),
        GSON.fromJson(response.body(), PredictionServer.ModelInfo.class));
  }

  @Test
  void refusesBadRequestsWithTheReason() throws Exception {
    assertError(400, "no \"x\"", post("{}"));
    assertError(400, "not a prediction request in JSON", post("{\"x\": [[0.5, oops]]}"));
    assertError(400, "not a prediction request in JSON", post("{\"x\": [[NaN]], \"task\": [0]}"));
    assertError(
        400, "row 0 has 3 features, expected 784", post("{\"x\": [[1, 2, 3]], \"task\": [0]}"));
    assertError(400, "multi-head", post(GSON.toJson(new PredictionServer.Request(images, null))));
    assertError(
        400, "task", post(GSON.toJson(new PredictionServer.Request(images, new int[] {9}))));
    HttpResponse<String> get =
        client.send(
            HttpRequest.newBuilder(uri(PredictionServer.PREDICT)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertError(405, "use POST", get);
    assertEquals("POST", get.headers().firstValue("Allow").orElseThrow());
    String huge = "{\"x\": [[" + "0.0,".repeat(PredictionServer.MAX_BODY_BYTES / 4) + "0.0]]}";
    assertError(413, "over", post(huge));
  }

  private static void assertError(int status, String reason, HttpResponse<String> response) {
    assertEquals(status, response.statusCode(), response.body());
    String error = GSON.fromJson(response.body(), JsonObject.class).get("error").getAsString();
    assertTrue(error.contains(reason), error);
  }

  private static HttpResponse<String> post(String json) throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(uri(PredictionServer.PREDICT))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}
