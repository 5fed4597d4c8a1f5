package dev.metaplastic.graphs;

import dev.metaplastic.ops.DenseLayer;
import dev.metaplastic.ops.Parameter;
import dev.metaplastic.ops.VariableRegistry;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A classifier's variables and forward pass, as the training graph composes it with a loss, an
 * optimizer and rules.
 */
public interface Model {
  /**
   * The forward pass built once for training and once for inference, which differ when the model
   * keeps statistics (batch normalization uses the batch's statistics in training and its moving
   * averages in inference).
   *
   * @param training logits of each example's head in training mode, [batch, classesPerHead]
   * @param inference logits in inference mode (the same operand when the modes do not differ)
   * @param statisticUpdates ops that update non-trained statistics from the training batch; the
   *     training step runs them
   * @param densePasses each plain dense layer z = a·W + b of the inference pass with its input and
   *     pre-activation, whose per-example gradients have a closed form; empty when the model has
   *     none
   */
  record Forward(
      Operand<TFloat32> training,
      Operand<TFloat32> inference,
      List<Op> statisticUpdates,
      List<DensePass> densePasses) {
    public Forward {
      statisticUpdates = List.copyOf(statisticUpdates);
      densePasses = List.copyOf(densePasses);
    }

    /** A forward pass without plain dense layers. */
    public Forward(
        Operand<TFloat32> training, Operand<TFloat32> inference, List<Op> statisticUpdates) {
      this(training, inference, statisticUpdates, List.of());
    }
  }

  /**
   * One plain dense layer's part of a forward pass, z = a·W + b.
   *
   * @param layer W and b
   * @param input a, [batch, in]
   * @param preActivation z, [batch, out]
   */
  record DensePass(DenseLayer layer, Operand<TFloat32> input, Operand<TFloat32> preActivation) {}

  /** The model's architecture. */
  MlpSpec spec();

  /** Every trainable parameter, in a fixed order. */
  List<Parameter> parameters();

  /**
   * The model's plain dense layers z = a·W + b, in the order of their parameters, for the rules
   * that act per layer; empty when the model has none.
   */
  List<DenseLayer> denseLayers();

  /**
   * Builds the forward pass.
   *
   * @param variables gives the scope of each layer
   * @param x inputs [batch, inputSize]
   * @param task head index of each example [batch]; ignored (may be null) with a single head
   */
  Forward forward(VariableRegistry variables, Operand<TFloat32> x, Operand<TInt32> task);

  /** Creates the variables of the model {@code spec} describes in {@code variables}. */
  static Model create(MlpSpec spec, VariableRegistry variables) {
    return spec.binarized() ? new BinarizedMlp(spec, variables) : new Mlp(spec, variables);
  }
}
