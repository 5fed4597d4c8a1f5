package dev.metaplastic.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Creates the per-parameter state of one owner (a rule, or an optimizer's slots), each variable
 * named {@code <owner>/<parameter>/<state>} through {@link VariableRegistry}, and records it as a
 * {@link StateVariable} for the manifest. One call makes every state of every parameter, as Keras'
 * {@code add_optimizer_variables} does with a list of names.
 */
public final class StateVariables {
  private final VariableRegistry variables;
  private final String owner;
  private final List<StateVariable> recorded = new ArrayList<>();

  /**
   * One state of every parameter: its name and its initial value for a parameter, built with the
   * registry's {@linkplain VariableRegistry#root() root} {@code Ops}.
   *
   * @param state the state's name, such as {@code importance}
   * @param initial the initial value of the state of a parameter
   */
  public record Slot(String state, BiFunction<Ops, Parameter, Operand<TFloat32>> initial) {
    /** A state starting at zero, shaped like its parameter. */
    public static Slot zeros(String state) {
      return new Slot(state, (init, p) -> init.zeros(init.constant(p.shape()), TFloat32.class));
    }

    /** A state starting at its parameter's initial value θ₀. */
    public static Slot initialValue(String state) {
      return new Slot(state, (init, p) -> p.initialValue());
    }
  }

  /**
   * @param variables the graph's registry
   * @param owner the first segment of every name, such as {@code si} or {@code adam}
   */
  public StateVariables(VariableRegistry variables, String owner) {
    this.variables = variables;
    this.owner = owner;
  }

  /**
   * Creates each slot's state of every parameter, parameter by parameter.
   *
   * @return for each slot, in order, its variable of each parameter, in order
   */
  public List<List<Variable<TFloat32>>> perParameter(List<Parameter> parameters, Slot... slots) {
    List<List<Variable<TFloat32>>> created = new ArrayList<>();
    for (int s = 0; s < slots.length; s++) {
      created.add(new ArrayList<>());
    }
    for (Parameter p : parameters) {
      for (int s = 0; s < slots.length; s++) {
        created.get(s).add(create(p.name(), slots[s].state(), slots[s].initial().apply(init(), p)));
      }
    }
    return created;
  }

  /**
   * One state variable {@code <owner>/<parameter>/<state>} from {@code initial}; {@code parameter}
   * may name what the state tracks when it belongs to no parameter (such as {@code task_loss}).
   */
  public Variable<TFloat32> create(String parameter, String state, Operand<TFloat32> initial) {
    Variable<TFloat32> variable = variables.create(owner + "/" + parameter + "/" + state, initial);
    recorded.add(new StateVariable(parameter, state, variable));
    return variable;
  }

  /** The registry's root {@code Ops}, to build initial values with. */
  public Ops init() {
    return variables.root();
  }

  /** Every state variable created so far, in creation order. */
  public List<StateVariable> recorded() {
    return List.copyOf(recorded);
  }
}
