package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Everything the library knows about one consolidation rule besides its equations: its name, its
 * typed hyperparameters with their meaning and defaults, its presets per kind of stream, and how to
 * make its configuration. Every rule class holds one as {@code DESCRIPTOR}, and {@link Rules} lists
 * them: manifests, checkpoints, the command line (rule names, options, presets, validation) and the
 * README's tables all derive from the descriptors.
 *
 * <p>The name is the rule's identity everywhere: the first segment of its state variables ({@code
 * online_ewc/dense_0/kernel/fisher}), its name in manifests, and its command-line name with {@code
 * -} for {@code _} ({@code online-ewc}).
 *
 * <p>Presets: the {@linkplain Hyperparameter#defaultValue() defaults} are the preset for split
 * streams on a real-valued network; a descriptor lists what differs on {@linkplain
 * StreamKind#PERMUTED permuted streams} and on binarized networks. Each rule's Javadoc gives the
 * papers' values and the sweeps behind its presets.
 *
 * @param <C> the rule's configuration type
 */
public final class RuleDescriptor<C extends RuleConfig> {
  private final String name;
  private final List<Hyperparameter> hyperparameters;
  private final Function<Values, C> factory;
  private final Map<StreamKind, Map<String, Double>> streamPresets;
  private final Map<String, Double> binarizedPreset;
  private final RuleSummary summary;
  private final String presetSource;

  private RuleDescriptor(Builder<C> builder) {
    this.name = builder.name;
    this.hyperparameters = List.copyOf(builder.hyperparameters);
    this.factory = builder.factory;
    this.streamPresets = new EnumMap<>(StreamKind.class);
    builder.streamPresets.forEach((kind, values) -> streamPresets.put(kind, Map.copyOf(values)));
    this.binarizedPreset = Map.copyOf(builder.binarizedPreset);
    this.summary = builder.summary;
    this.presetSource = builder.presetSource;
  }

  /**
   * A descriptor under construction.
   *
   * @param name the rule's name, lower case with {@code _} between words
   * @param factory makes the configuration from checked values
   */
  public static <C extends RuleConfig> Builder<C> builder(
      String name, Function<Values, C> factory) {
    return new Builder<>(name, factory);
  }

  /** The rule's name: state prefix and name in manifests, such as {@code online_ewc}. */
  public String name() {
    return name;
  }

  /** The rule's name on the command line, such as {@code online-ewc}. */
  public String cliName() {
    return name.replace('_', '-');
  }

  /** The rule's row of the README's rule table: title, paper and state. */
  public RuleSummary summary() {
    return summary;
  }

  /**
   * Where the presets come from (the paper's values, a sweep), as the README's preset table says.
   */
  public String presetSource() {
    return presetSource;
  }

  /** The hyperparameters, in the order configurations print them. */
  public List<Hyperparameter> hyperparameters() {
    return hyperparameters;
  }

  /** The hyperparameter called {@code name}, if the rule has one. */
  public Optional<Hyperparameter> hyperparameter(String name) {
    return hyperparameters.stream().filter(h -> h.name().equals(name)).findFirst();
  }

  /**
   * The configuration with hyperparameters {@code values}, as manifests record them.
   *
   * @throws IllegalArgumentException if a hyperparameter is missing, unknown, of the wrong kind or
   *     out of range
   */
  public C config(Map<String, Double> values) {
    for (String given : values.keySet()) {
      checkArgument(
          hyperparameter(given).isPresent(),
          "rule %s has no hyperparameter '%s'; it has %s",
          name,
          given,
          String.join(", ", hyperparameterNames()));
    }
    for (Hyperparameter h : hyperparameters) {
      Double value = values.get(h.name());
      checkArgument(value != null, "rule %s lacks hyperparameter '%s'", name, h.name());
      h.check(value, name);
    }
    return factory.apply(new Values(values));
  }

  /** The configuration with every hyperparameter at its default. */
  public C defaults() {
    return config(defaultValues());
  }

  /**
   * The preset for streams of kind {@code stream}: the defaults, with what differs on that kind of
   * stream and, for a binarized network, on binarized networks.
   */
  public Map<String, Double> presetValues(StreamKind stream, boolean binarized) {
    Map<String, Double> values = defaultValues();
    values.putAll(streamPresets.getOrDefault(stream, Map.of()));
    if (binarized) {
      values.putAll(binarizedPreset);
    }
    return values;
  }

  /** The configuration of {@link #presetValues}. */
  public C preset(StreamKind stream, boolean binarized) {
    return config(presetValues(stream, binarized));
  }

  /** The preset for streams of kind {@code stream} on a real-valued network. */
  public C preset(StreamKind stream) {
    return preset(stream, false);
  }

  /** How a configuration of this rule prints: {@code si(c=1.0, xi=0.001)}. */
  public String describe(Map<String, Double> values) {
    return name + "(" + assignments(values) + ")";
  }

  /** {@code c=1.0, xi=0.001}: each hyperparameter's name and printed value, in order. */
  public String assignments(Map<String, Double> values) {
    List<String> parts = new ArrayList<>();
    for (Hyperparameter h : hyperparameters) {
      parts.add(h.name() + "=" + h.format(values.get(h.name())));
    }
    return String.join(", ", parts);
  }

  private List<String> hyperparameterNames() {
    return hyperparameters.stream().map(Hyperparameter::name).toList();
  }

  private Map<String, Double> defaultValues() {
    Map<String, Double> values = new LinkedHashMap<>();
    hyperparameters.forEach(h -> values.put(h.name(), h.defaultValue()));
    return values;
  }

  @Override
  public String toString() {
    return name;
  }

  /** Checked hyperparameter values, read by type. */
  public static final class Values {
    private final Map<String, Double> values;

    private Values(Map<String, Double> values) {
      this.values = values;
    }

    /** A real-valued hyperparameter. */
    public double real(String name) {
      return values.get(name);
    }

    /** A whole-numbered hyperparameter. */
    public int whole(String name) {
      return (int) (double) values.get(name);
    }

    /** A choice, as the constant of {@code type} with that ordinal. */
    public <E extends Enum<E>> E choice(String name, Class<E> type) {
      return type.getEnumConstants()[whole(name)];
    }
  }

  /** Builds a descriptor; see {@link RuleDescriptor#builder}. */
  public static final class Builder<C extends RuleConfig> {
    private final String name;
    private final Function<Values, C> factory;
    private final List<Hyperparameter> hyperparameters = new ArrayList<>();
    private final Map<StreamKind, Map<String, Double>> streamPresets =
        new EnumMap<>(StreamKind.class);
    private Map<String, Double> binarizedPreset = Map.of();
    private RuleSummary summary;
    private String presetSource;

    private Builder(String name, Function<Values, C> factory) {
      checkArgument(
          name != null && name.matches("[a-z][a-z0-9]*(_[a-z0-9]+)*"),
          "a rule name is lower case with _ between words, got '%s'",
          name);
      this.name = name;
      this.factory = checkNotNull(factory, "factory");
    }

    /** Adds a hyperparameter; configurations print them in the order added. */
    public Builder<C> hyperparameter(Hyperparameter h) {
      checkArgument(
          hyperparameters.stream().noneMatch(known -> known.name().equals(h.name())),
          "rule %s declares hyperparameter %s twice",
          name,
          h.name());
      hyperparameters.add(h);
      return this;
    }

    /** What differs from the defaults on streams of kind {@code stream}. */
    public Builder<C> preset(StreamKind stream, Map<String, Double> values) {
      streamPresets.put(stream, checkKnown(values));
      return this;
    }

    /** What differs on binarized networks, on every kind of stream. */
    public Builder<C> binarizedPreset(Map<String, Double> values) {
      binarizedPreset = checkKnown(values);
      return this;
    }

    /** The rule's title, paper and state, for the README's rule table. */
    public Builder<C> summary(String title, String paper, String state) {
      summary = new RuleSummary(title, paper, state);
      return this;
    }

    /** Where the presets come from, for the README's preset table. */
    public Builder<C> presetSource(String source) {
      presetSource = checkNotNull(source, "source");
      return this;
    }

    /**
     * The descriptor.
     *
     * @throws IllegalStateException without a {@link #summary} or a {@link #presetSource}
     */
    public RuleDescriptor<C> build() {
      checkState(summary != null, "rule %s: give its summary", name);
      checkState(presetSource != null, "rule %s: say where its presets come from", name);
      return new RuleDescriptor<>(this);
    }

    private Map<String, Double> checkKnown(Map<String, Double> values) {
      for (String key : values.keySet()) {
        checkArgument(
            hyperparameters.stream().anyMatch(h -> h.name().equals(key)),
            "rule %s: preset names unknown hyperparameter %s",
            name,
            key);
      }
      return values;
    }
  }
}
