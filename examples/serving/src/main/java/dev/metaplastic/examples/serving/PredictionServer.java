package dev.metaplastic.examples.serving;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.metaplastic.serve.Predictor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A {@link Predictor} behind the JDK's {@link HttpServer}, JSON in and out.
 *
 * <pre>
 * POST /v1/predict   {"x": [[0.0, 0.5, ...]], "task": [0]}   (task only for multi-head models)
 *   200              {"probabilities": [[0.849, 0.151]]}
 *   400              {"error": "row 0 has 3 features, expected 784"}
 * GET  /v1/model     {"inputSize": 784, "classes": 2, "multiHead": true}
 * </pre>
 *
 * <p>The predictor is thread-safe, so every request runs on the server's worker threads at once;
 * nothing is locked here. Request bodies over {@link #MAX_BODY_BYTES} are refused with 413.
 *
 * <pre>{@code
 * try (Predictor predictor = Predictor.open(modelDir);
 *     PredictionServer server = PredictionServer.start(predictor, new InetSocketAddress(8080), 8)) {
 *   // serves until closed
 * }
 * }</pre>
 */
public final class PredictionServer implements AutoCloseable {
  /** Path of the prediction endpoint. */
  public static final String PREDICT = "/v1/predict";

  /** Path of the endpoint that describes the model's inputs and outputs. */
  public static final String MODEL = "/v1/model";

  /** Largest request body accepted: 16 MiB, about 5,000 examples of 784 features. */
  public static final int MAX_BODY_BYTES = 16 << 20;

  /**
   * The JDK's server sends a response's headers and body in two writes; with Nagle's algorithm on
   * its socket the body waits for the client's delayed acknowledgement of the headers, about 40 ms.
   * Measured with {@link ServingLatency}: a median of 48 ms per request without this setting, 3 ms
   * with it. Set before the JDK's server classes read it, unless the user chose a value.
   */
  private static final String NO_DELAY = "sun.net.httpserver.nodelay";

  static {
    if (System.getProperty(NO_DELAY) == null) {
      System.setProperty(NO_DELAY, "true");
    }
  }

  private static final Gson GSON = new GsonBuilder().setStrictness(Strictness.STRICT).create();

  /** A prediction request; {@code task} is null for single-head models. */
  record Request(float[][] x, int[] task) {}

  /** A prediction response: one row of class probabilities per example. */
  record Response(float[][] probabilities) {}

  /** The model's shape, for clients. */
  record ModelInfo(int inputSize, int classes, boolean multiHead) {}

  private final HttpServer server;
  private final ExecutorService workers;

  private PredictionServer(HttpServer server, ExecutorService workers) {
    this.server = server;
    this.workers = workers;
  }

  /**
   * Starts serving {@code predictor} on {@code address} with {@code threads} worker threads. The
   * caller keeps owning the predictor and closes it after the server.
   *
   * @param address where to listen; port 0 picks a free port (see {@link #port()})
   * @throws IOException if the address cannot be bound
   */
  public static PredictionServer start(Predictor predictor, InetSocketAddress address, int threads)
      throws IOException {
    HttpServer server = HttpServer.create(address, 0);
    ExecutorService workers = Executors.newFixedThreadPool(threads);
    server.setExecutor(workers);
    ModelInfo info =
        new ModelInfo(predictor.inputSize(), predictor.classes(), predictor.multiHead());
    server.createContext(
        PREDICT,
        exchange -> handle(exchange, "POST", () -> predict(predictor, readBody(exchange))));
    server.createContext(MODEL, exchange -> handle(exchange, "GET", () -> info));
    server.start();
    return new PredictionServer(server, workers);
  }

  /** The port the server listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Stops accepting requests, lets running ones finish for up to a second, stops the workers. */
  @Override
  public void close() {
    server.stop(1);
    workers.shutdown();
  }

  private static Response predict(Predictor predictor, String body) {
    Request request = GSON.fromJson(body, Request.class);
    if (request == null || request.x() == null) {
      throw new IllegalArgumentException("the request has no \"x\"");
    }
    float[][] probabilities =
        request.task() == null
            ? predictor.predict(request.x())
            : predictor.predict(request.x(), request.task());
    return new Response(probabilities);
  }

  private static String readBody(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
      if (body.length > MAX_BODY_BYTES) {
        throw new BodyTooLargeException();
      }
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** What an endpoint computes from a request; the handler turns it into JSON. */
  private interface Endpoint {
    Object respond() throws IOException;
  }

  /**
   * Answers one exchange: 200 and the endpoint's result as JSON; 400 for a request the model cannot
   * take (bad JSON, wrong sizes, bad task ids), with the reason; 405 for another method; 413 for a
   * body that is too large. Anything else is a bug of the server: 500, and the stack trace on the
   * server's stderr.
   */
  private static void handle(HttpExchange exchange, String method, Endpoint endpoint)
      throws IOException {
    int status;
    String json;
    try {
      if (exchange.getRequestMethod().equals(method)) {
        json = GSON.toJson(endpoint.respond());
        status = 200;
      } else {
        exchange.getResponseHeaders().set("Allow", method);
        json = error("use " + method);
        status = 405;
      }
    } catch (JsonParseException e) {
      json = error("not a prediction request in JSON: " + e.getMessage());
      status = 400;
    } catch (IllegalArgumentException e) {
      json = error(e.getMessage());
      status = 400;
    } catch (BodyTooLargeException e) {
      json = error("the body is over " + MAX_BODY_BYTES + " bytes");
      status = 413;
    } catch (RuntimeException e) {
      e.printStackTrace();
      json = error("internal error");
      status = 500;
    }
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String error(String message) {
    return GSON.toJson(Map.of("error", message));
  }

  /** A request body over {@link #MAX_BODY_BYTES}. */
  private static final class BodyTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;
  }

  /**
   * Serves a SavedModel until the process is stopped.
   *
   * <p>Usage: {@code PredictionServer SAVED_MODEL_DIR [PORT] [THREADS]} (port 8080, 8 threads).
   */
  public static void main(String[] args) {
    if (args.length < 1 || args.length > 3) {
      System.err.println("error: usage: PredictionServer SAVED_MODEL_DIR [PORT] [THREADS]");
      System.exit(2);
    }
    try {
      int port = args.length > 1 ? integer("PORT", args[1]) : 8080;
      int threads = args.length > 2 ? integer("THREADS", args[2]) : 8;
      if (threads < 1) {
        throw new IllegalArgumentException("THREADS must be at least 1, got " + threads);
      }
      Predictor predictor = Predictor.open(Path.of(args[0]));
      PredictionServer server;
      try {
        server = start(predictor, new InetSocketAddress(port), threads);
      } catch (IOException | RuntimeException e) {
        predictor.close();
        throw e;
      }
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    server.close();
                    predictor.close();
                  }));
      System.out.printf(
          "serving %s on http://localhost:%d%s with %d threads%n",
          args[0], server.port(), PREDICT, threads);
    } catch (IllegalArgumentException | IOException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
    }
  }

  /** A command-line integer; a message that names it if it is not one. */
  static int integer(String name, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'", e);
    }
  }
}
