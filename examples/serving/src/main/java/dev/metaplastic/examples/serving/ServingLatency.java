package dev.metaplastic.examples.serving;

import dev.metaplastic.serve.Predictor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Measures the latency of {@link PredictionServer} as its clients see it: each client sends one
 * example per request, waiting for each answer before the next request, over a kept-alive HTTP/1.1
 * connection; the time of a request is from sending it to having its whole JSON answer. Reports the
 * median and 99th percentile per request with 1 and 8 clients at once, and the same predictor
 * called in process without HTTP, for comparison.
 *
 * <p>Usage: {@code ServingLatency SAVED_MODEL_DIR [REQUESTS_PER_CLIENT]} (default 2,000). Features
 * are uniform in [0, 1) from a fixed seed, like normalized pixels; multi-head models get head 0.
 */
public final class ServingLatency {
  private static final int[] CLIENTS = {1, 8};
  private static final int WARM_UP = 500;

  private ServingLatency() {}

  /** Runs the measurement; prints one line per setting. */
  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      System.err.println("error: usage: ServingLatency SAVED_MODEL_DIR [REQUESTS_PER_CLIENT]");
      System.exit(2);
    }
    try {
      measure(
          Path.of(args[0]), args.length > 1 ? PredictionServer.integer("REQUESTS", args[1]) : 2000);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
    }
  }

  private static void measure(Path modelDir, int requests) throws Exception {
    if (requests < 1) {
      throw new IllegalArgumentException("REQUESTS must be at least 1, got " + requests);
    }
    try (Predictor predictor = Predictor.open(modelDir);
        PredictionServer server =
            PredictionServer.start(predictor, new InetSocketAddress("127.0.0.1", 0), 8)) {
      String body = requestBody(predictor, new Random(0));
      float[][] x = {features(predictor.inputSize(), new Random(0))};
      int[] task = predictor.multiHead() ? new int[] {0} : null;
      URI uri = URI.create("http://127.0.0.1:" + server.port() + PredictionServer.PREDICT);
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      clientLatencies(client, uri, body, WARM_UP);
      for (int i = 0; i < WARM_UP; i++) {
        predictor.predict(x, task);
      }
      System.out.printf(
          "%s, %d requests per client, 1 example per request (p50 / p99 in microseconds)%n",
          modelDir, requests);
      long[] direct = new long[requests];
      for (int i = 0; i < requests; i++) {
        long start = System.nanoTime();
        predictor.predict(x, task);
        direct[i] = System.nanoTime() - start;
      }
      print("Predictor.predict in process, 1 thread", direct);
      for (int clients : CLIENTS) {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
          List<Future<long[]>> results = new ArrayList<>();
          long start = System.nanoTime();
          for (int c = 0; c < clients; c++) {
            results.add(pool.submit(() -> clientLatencies(client, uri, body, requests)));
          }
          long[] all = new long[0];
          for (Future<long[]> result : results) {
            long[] latencies = result.get();
            int from = all.length;
            all = Arrays.copyOf(all, from + latencies.length);
            System.arraycopy(latencies, 0, all, from, latencies.length);
          }
          double seconds = (System.nanoTime() - start) / 1e9;
          print(
              String.format(
                  "HTTP, %d client%s (%.0f requests/s)",
                  clients, clients > 1 ? "s" : "", all.length / seconds),
              all);
        } finally {
          pool.shutdown();
        }
      }
    }
  }

  /** Sends {@code count} requests one after another; returns the latency of each, in ns. */
  private static long[] clientLatencies(HttpClient client, URI uri, String body, int count)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    long[] latencies = new long[count];
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      latencies[i] = System.nanoTime() - start;
      if (response.statusCode() != 200) {
        throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
      }
    }
    return latencies;
  }

  /** One example's request, as a client would send it. */
  static String requestBody(Predictor predictor, Random random) {
    StringBuilder json = new StringBuilder("{\"x\": [");
    json.append(Arrays.toString(features(predictor.inputSize(), random)));
    json.append("]");
    if (predictor.multiHead()) {
      json.append(", \"task\": [0]");
    }
    return json.append("}").toString();
  }

  private static float[] features(int size, Random random) {
    float[] x = new float[size];
    for (int i = 0; i < size; i++) {
      x[i] = random.nextFloat();
    }
    return x;
  }

  /** Prints the median and 99th percentile (nearest rank) of latencies in ns, in µs. */
  private static void print(String setting, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    long p50 = sorted[(int) Math.ceil(0.50 * sorted.length) - 1];
    long p99 = sorted[(int) Math.ceil(0.99 * sorted.length) - 1];
    System.out.printf("%-52s %8.0f / %8.0f%n", setting, p50 / 1e3, p99 / 1e3);
  }
}
