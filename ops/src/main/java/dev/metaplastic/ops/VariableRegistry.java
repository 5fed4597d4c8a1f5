package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.base.Splitter;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TType;

/**
 * Creates every variable of one graph under an exact, slash-separated name, and refuses a name that
 * TensorFlow would silently rename.
 *
 * <p>TensorFlow Java names ops through nested scopes, and a second scope with the same name
 * silently becomes {@code name_2}. This registry holds one scope per path prefix, so that {@code
 * si/dense_0/kernel/importance} and {@code si/dense_0/kernel/anchor} share the scope {@code
 * si/dense_0/kernel}, and checks that the op TensorFlow made carries the name asked for. Variables
 * names are the contract with SavedModel users: see docs/architecture.md, "Names are API".
 *
 * <p>Initial values are built in a scope without control dependencies, so that a new session can
 * run every initializer without feeds.
 */
public final class VariableRegistry {
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9.][A-Za-z0-9_.\\-]*");

  private final Ops root;
  private final Map<String, Ops> scopes = new HashMap<>();
  private final Map<String, Variable<?>> variables = new LinkedHashMap<>();

  /**
   * @param root the graph's base {@code Ops}, with no control dependencies and no sub-scope
   */
  public VariableRegistry(Ops root) {
    this.root = root;
  }

  /** The base {@code Ops} of the graph: use it to build initial values. */
  public Ops root() {
    return root;
  }

  /**
   * Returns the {@code Ops} that names ops under {@code path} (for example {@code dense_0}). The
   * same object is returned for the same path, so ops built through it never get a renamed scope.
   *
   * @throws IllegalArgumentException if a segment of the path is not a valid TensorFlow op name
   */
  public Ops scope(String path) {
    Ops scope = scopes.get(path);
    if (scope != null) {
      return scope;
    }
    int slash = path.lastIndexOf('/');
    String leaf = path.substring(slash + 1);
    checkArgument(
        SEGMENT.matcher(leaf).matches(),
        "scope segment '%s' of '%s' is not a valid TensorFlow name",
        leaf,
        path);
    Ops parent = slash < 0 ? root : scope(path.substring(0, slash));
    scope = parent.withSubScope(leaf);
    scopes.put(path, scope);
    return scope;
  }

  /**
   * Creates a variable named exactly {@code name}, initialised from {@code initialValue}.
   *
   * @param name slash-separated full name, such as {@code si/dense_0/kernel/importance}
   * @param initialValue built with {@link #root()} (or any scope without control dependencies)
   * @throws IllegalArgumentException if the name is already taken in this graph
   * @throws IllegalStateException if TensorFlow gave the variable a different name
   */
  public <T extends TType> Variable<T> create(String name, Operand<T> initialValue) {
    checkArgument(!variables.containsKey(name), "variable '%s' already exists in this graph", name);
    List<String> parts = Splitter.on('/').splitToList(name);
    String leaf = parts.get(parts.size() - 1);
    checkArgument(
        SEGMENT.matcher(leaf).matches(), "variable name '%s' is not a valid TensorFlow name", name);
    Ops parent = parts.size() == 1 ? root : scope(name.substring(0, name.lastIndexOf('/')));
    Variable<T> variable = parent.withName(leaf).variable(initialValue);
    String made = variable.op().name();
    checkState(
        made.equals(name),
        "TensorFlow named the variable '%s' instead of '%s': the name is taken by another op",
        made,
        name);
    variables.put(name, variable);
    return variable;
  }

  /** Every variable created so far, by name, in creation order. */
  public Map<String, Variable<?>> variables() {
    return Collections.unmodifiableMap(variables);
  }
}
