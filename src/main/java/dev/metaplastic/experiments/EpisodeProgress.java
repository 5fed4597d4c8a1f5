package dev.metaplastic.experiments;

/** What a {@link PlasticComparison} reports while one rule trains, such as a progress bar. */
public interface EpisodeProgress extends AutoCloseable {
  /** Reports nothing. */
  EpisodeProgress NONE =
      new EpisodeProgress() {
        @Override
        public void step(long step, float loss) {}

        @Override
        public void close() {}
      };

  /** Called after training step {@code step} (1-based) with its loss. */
  void step(long step, float loss);

  @Override
  void close();
}
