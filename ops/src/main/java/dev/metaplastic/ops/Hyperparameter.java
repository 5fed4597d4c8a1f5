package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One hyperparameter of a rule, as its {@link RuleDescriptor} declares it: its name (in manifests,
 * in printed configurations and, with {@code -} for {@code _}, as a command-line option), what kind
 * of number it is, its default and what it means. Manifests store every value as a double; the kind
 * says which doubles are valid and how they print.
 *
 * @param name the name, such as {@code chain_length}
 * @param kind what kind of number the value is
 * @param defaultValue the value when nothing else is given (the split-stream preset)
 * @param choices for {@link Kind#CHOICE}, the label of each value 0, 1, …; empty otherwise
 * @param description what it means, in a phrase, with its valid range
 * @param aliases other command-line names kept for compatibility, such as {@code meta} for {@code
 *     m}
 */
public record Hyperparameter(
    String name,
    Kind kind,
    double defaultValue,
    List<String> choices,
    String description,
    List<String> aliases) {

  /** What kind of number a hyperparameter is. */
  public enum Kind {
    /** A real number, printed as Java prints a double ({@code 0.001}, {@code 1000.0}). */
    REAL,
    /** A whole number, printed without a fraction. */
    WHOLE,
    /** One of a few named values, stored as its index 0, 1, … and printed as its label. */
    CHOICE
  }

  public Hyperparameter {
    checkNotNull(name, "name");
    checkNotNull(kind, "kind");
    checkNotNull(description, "description");
    choices = List.copyOf(choices);
    aliases = List.copyOf(aliases);
    checkArgument(
        (kind == Kind.CHOICE) == !choices.isEmpty(),
        "hyperparameter %s: choices go with kind CHOICE only",
        name);
  }

  /** A real-valued hyperparameter. */
  public static Hyperparameter real(String name, double defaultValue, String description) {
    return new Hyperparameter(name, Kind.REAL, defaultValue, List.of(), description, List.of());
  }

  /** A whole-numbered hyperparameter. */
  public static Hyperparameter whole(String name, int defaultValue, String description) {
    return new Hyperparameter(name, Kind.WHOLE, defaultValue, List.of(), description, List.of());
  }

  /** A hyperparameter naming one constant of {@code type}, stored as its ordinal. */
  public static <E extends Enum<E>> Hyperparameter choice(
      String name, E defaultValue, String description) {
    List<String> labels = new ArrayList<>();
    for (E constant : defaultValue.getDeclaringClass().getEnumConstants()) {
      labels.add(constant.name().toLowerCase(Locale.ROOT));
    }
    return new Hyperparameter(
        name, Kind.CHOICE, defaultValue.ordinal(), labels, description, List.of());
  }

  /** This hyperparameter with one more command-line alias. */
  public Hyperparameter withAlias(String alias) {
    List<String> more = new ArrayList<>(aliases);
    more.add(alias);
    return new Hyperparameter(name, kind, defaultValue, choices, description, more);
  }

  /**
   * Checks that {@code value} is valid for this kind (a whole number, or the index of a choice).
   * Ranges are the configuration's to check.
   *
   * @throws IllegalArgumentException naming rule {@code rule} and the value
   */
  public void check(double value, String rule) {
    if (kind == Kind.WHOLE) {
      checkArgument(
          value == Math.rint(value) && value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE,
          "rule %s: hyperparameter '%s' must be a whole number, got %s",
          rule,
          name,
          value);
    } else if (kind == Kind.CHOICE) {
      checkArgument(
          value == Math.rint(value) && value >= 0 && value < choices.size(),
          "rule %s: hyperparameter '%s' must be %s, got %s",
          rule,
          name,
          choiceList(),
          value);
    }
  }

  /**
   * The value {@code text} gives, as typed on a command line: a number, or for a choice its label
   * or index.
   *
   * @throws IllegalArgumentException if it is not one
   */
  public double parse(String text) {
    String t = text.trim();
    if (kind == Kind.CHOICE) {
      int index = choices.indexOf(t.toLowerCase(Locale.ROOT));
      if (index >= 0) {
        return index;
      }
    }
    try {
      return Double.parseDouble(t);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "hyperparameter '"
              + name
              + "' takes "
              + (kind == Kind.CHOICE ? choiceList() : "a number")
              + ", got '"
              + text
              + "'",
          e);
    }
  }

  /** {@code value} as configurations print it: {@code 0.001}, {@code 1024}, {@code anchor}. */
  public String format(double value) {
    return switch (kind) {
      case REAL -> Double.toString(value);
      case WHOLE -> Long.toString((long) value);
      case CHOICE -> choices.get((int) value);
    };
  }

  private String choiceList() {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < choices.size(); i++) {
      parts.add(i + " (" + choices.get(i) + ")");
    }
    return String.join(" or ", parts);
  }
}
