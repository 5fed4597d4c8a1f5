package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.base.Splitter;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The four neuromodulators of Doya's mapping ("Metalearning and neuromodulation", Neural Networks
 * 15, 2002), each a signal computed from the task's own outcomes that gates plasticity: dopamine
 * ({@link Dopamine}), noradrenaline ({@link Noradrenaline}), acetylcholine ({@link Acetylcholine})
 * and serotonin ({@link Serotonin}). Any subset can act at once ("many-to-one"); {@link
 * Neuromodulators} combines them.
 */
public enum Modulator {
  /** Dopamine: the reward-prediction error δ gates the sign and size of plasticity. */
  DOPAMINE("da"),
  /** Noradrenaline: unexpected uncertainty raises the rate and partially resets fast weights. */
  NORADRENALINE("na"),
  /** Acetylcholine: expected uncertainty sets how much a new outcome is trusted over memory. */
  ACETYLCHOLINE("ach"),
  /** Serotonin: a slow average of aversive outcomes inhibits the response. */
  SEROTONIN("5ht");

  private final String shortName;

  Modulator(String shortName) {
    this.shortName = shortName;
  }

  /** The short name the command line and reports use: da, na, ach or 5ht. */
  public String shortName() {
    return shortName;
  }

  /** The modulator whose {@link #shortName()} is {@code name} (case-insensitive). */
  public static Modulator named(String name) {
    String key = name.trim().toLowerCase(Locale.ROOT);
    for (Modulator m : values()) {
      if (m.shortName.equals(key)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "unknown neuromodulator '" + name + "'; expected da, na, ach or 5ht");
  }

  /**
   * The modulators of a {@code +}-joined list such as {@code da+na+ach}; {@code none} (or an empty
   * string) is the empty set.
   *
   * @throws IllegalArgumentException for an unknown or repeated name
   */
  public static Set<Modulator> parse(String list) {
    EnumSet<Modulator> set = EnumSet.noneOf(Modulator.class);
    String trimmed = list.trim();
    if (trimmed.isEmpty() || trimmed.equalsIgnoreCase("none")) {
      return set;
    }
    for (String part : Splitter.on('+').split(trimmed)) {
      Modulator m = named(part);
      checkArgument(set.add(m), "neuromodulator '%s' is named twice in '%s'", part, list);
    }
    return set;
  }

  /** The {@code +}-joined short names in declaration order, or {@code none} for the empty set. */
  public static String describe(Set<Modulator> set) {
    return set.isEmpty()
        ? "none"
        : EnumSet.copyOf(set).stream().map(Modulator::shortName).collect(Collectors.joining("+"));
  }
}
