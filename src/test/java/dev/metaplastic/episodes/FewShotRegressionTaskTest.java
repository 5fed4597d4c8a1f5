package dev.metaplastic.episodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FewShotRegressionTaskTest {
  private static final FewShotRegressionTask TASK = new FewShotRegressionTask(5, 3);

  @Test
  void hasTheAdvertisedSizes() {
    assertEquals("regression", TASK.name());
    assertEquals(4, TASK.inputSize());
    assertEquals(1, TASK.outputSize());
    assertEquals(8, TASK.steps());
    assertEquals(Episodes.Kind.REGRESSION, TASK.kind());
    assertEquals(
        "regression: predict a·sin(x + φ) at 3 query points after 5 support points (8 steps, 4"
            + " inputs, 1 output)",
        TASK.describe());
    TaskChecks.sampleAndCheckShape(TASK, 3, 1);
    FewShotRegressionTask standard = FewShotRegressionTask.standard();
    assertEquals(10, standard.support());
    assertEquals(10, standard.query());
  }

  @Test
  void isDeterministicForASeed() {
    TaskChecks.checkDeterministic(TASK);
  }

  @Test
  void scoresExactlyTheQuerySteps() {
    Episodes episodes = TaskChecks.sampleAndCheckShape(TASK, 5, 2);

    for (int b = 0; b < 5; b++) {
      for (int t = 0; t < 8; t++) {
        boolean query = t >= 5;
        assertEquals(query, episodes.scored(b, t), "step " + t);
        assertEquals(query ? 0 : 1, episodes.input(b, t, FewShotRegressionTask.SUPPORT_CHANNEL));
        assertEquals(query ? 1 : 0, episodes.input(b, t, FewShotRegressionTask.QUERY_CHANNEL));
        if (query) {
          assertEquals(0, episodes.input(b, t, FewShotRegressionTask.Y_CHANNEL));
        }
      }
    }
    TaskChecks.checkUnscoredTargetsAreZero(episodes);
  }

  /**
   * Fits {@code f(x) = α sin x + β cos x} to the support points by least squares, which recovers
   * {@code a = √(α² + β²)} and {@code φ = atan2(β, α)} exactly, and predicts the query targets.
   */
  @Test
  void anOracleFittedToTheSupportPointsPredictsEveryQueryTarget() {
    Episodes episodes = TaskChecks.sampleAndCheckShape(TASK, 300, 3);
    double minAmplitude = Double.POSITIVE_INFINITY;
    double maxAmplitude = 0;
    double minPhase = Double.POSITIVE_INFINITY;
    double maxPhase = Double.NEGATIVE_INFINITY;

    for (int b = 0; b < 300; b++) {
      double ss = 0;
      double sc = 0;
      double cc = 0;
      double sy = 0;
      double cy = 0;
      for (int t = 0; t < 5; t++) {
        double x = episodes.input(b, t, FewShotRegressionTask.X_CHANNEL);
        double y = episodes.input(b, t, FewShotRegressionTask.Y_CHANNEL);
        ss += Math.sin(x) * Math.sin(x);
        sc += Math.sin(x) * Math.cos(x);
        cc += Math.cos(x) * Math.cos(x);
        sy += Math.sin(x) * y;
        cy += Math.cos(x) * y;
      }
      double determinant = ss * cc - sc * sc;
      double alpha = (cc * sy - sc * cy) / determinant;
      double beta = (ss * cy - sc * sy) / determinant;
      double amplitude = Math.hypot(alpha, beta);
      double phase = Math.atan2(beta, alpha);
      assertTrue(amplitude >= 0.1 - 1e-4 && amplitude <= 5 + 1e-4, "amplitude " + amplitude);
      assertTrue(phase >= -1e-3 && phase <= Math.PI + 1e-3, "phase " + phase);
      minAmplitude = Math.min(minAmplitude, amplitude);
      maxAmplitude = Math.max(maxAmplitude, amplitude);
      minPhase = Math.min(minPhase, phase);
      maxPhase = Math.max(maxPhase, phase);
      for (int t = 0; t < 8; t++) {
        double x = episodes.input(b, t, FewShotRegressionTask.X_CHANNEL);
        assertTrue(x >= -5 && x <= 5, "x " + x);
        double predicted = amplitude * Math.sin(x + phase);
        double actual =
            t < 5
                ? episodes.input(b, t, FewShotRegressionTask.Y_CHANNEL)
                : episodes.target(b, t, 0);
        assertEquals(predicted, actual, 1e-4, "episode " + b + " step " + t);
      }
    }
    assertTrue(minAmplitude < 0.5 && maxAmplitude > 4.5, minAmplitude + " to " + maxAmplitude);
    assertTrue(minPhase < 0.2 && maxPhase > Math.PI - 0.2, minPhase + " to " + maxPhase);
  }

  @Test
  void rejectsBadSizes() {
    assertEquals(
        "few-shot regression needs at least 1 support step, got 0",
        assertThrows(IllegalArgumentException.class, () -> new FewShotRegressionTask(0, 3))
            .getMessage());
    assertEquals(
        "few-shot regression needs at least 1 query step, got 0",
        assertThrows(IllegalArgumentException.class, () -> new FewShotRegressionTask(3, 0))
            .getMessage());
    TaskChecks.checkRejectsEmptyBatch(TASK);
  }
}
