package dev.metaplastic.graphs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;

/**
 * The session configurations: threads as asked; Grappler's rewrites off for classifiers, on (as a
 * SavedModelBundle runs) for plastic RNNs.
 */
class SessionOptionsTest {
  @Test
  void defaultLeavesThreadsToTensorFlow() {
    ConfigProto config = SessionOptions.DEFAULT.configProto();
    assertEquals(0, config.getIntraOpParallelismThreads());
    assertEquals(0, config.getInterOpParallelismThreads());
    assertFalse(config.getUsePerSessionThreads());
    assertTrue(config.getGraphOptions().getRewriteOptions().getDisableMetaOptimizer());
  }

  @Test
  void aThreadCountGivesTheSessionPoolsOfItsOwn() {
    ConfigProto config = new SessionOptions(3).configProto();
    assertEquals(3, config.getIntraOpParallelismThreads());
    assertEquals(3, config.getInterOpParallelismThreads());
    assertTrue(config.getUsePerSessionThreads());
    assertTrue(config.getGraphOptions().getRewriteOptions().getDisableMetaOptimizer());
  }

  @Test
  void aPlasticRnnKeepsGrapplerWithItsThreads() {
    ConfigProto config = new SessionOptions(2).rewritingConfigProto();
    assertEquals(2, config.getIntraOpParallelismThreads());
    assertEquals(2, config.getInterOpParallelismThreads());
    assertTrue(config.getUsePerSessionThreads());
    assertFalse(config.getGraphOptions().getRewriteOptions().getDisableMetaOptimizer());
    assertEquals(ConfigProto.getDefaultInstance(), SessionOptions.DEFAULT.rewritingConfigProto());
  }

  @Test
  void refusesANegativeCount() {
    assertEquals(
        "threads must be >= 0 (0: TensorFlow's choice), got -1",
        assertThrows(IllegalArgumentException.class, () -> new SessionOptions(-1)).getMessage());
  }
}
