/**
 * Generated episodic tasks for plastic recurrent networks, which must learn within each episode.
 *
 * <p>An {@link dev.metaplastic.episodes.EpisodeTask} draws batches of {@link
 * dev.metaplastic.episodes.Episodes}: inputs {@code [B, T, inputSize]}, targets {@code [B, T,
 * outputSize]} and a mask {@code [B, T]} that is 1 on scored steps, as flat row-major float arrays.
 * The tasks need no download and are deterministic given the {@link java.util.Random} they draw
 * from:
 *
 * <ul>
 *   <li>{@link dev.metaplastic.episodes.CopyTask}: reproduce a symbol sequence after a delay;
 *   <li>{@link dev.metaplastic.episodes.AssociativeRecallTask}: recall the value bound to a key
 *       seen once in the episode;
 *   <li>{@link dev.metaplastic.episodes.FewShotRegressionTask}: predict a sine function from a few
 *       of its points;
 *   <li>{@link dev.metaplastic.episodes.GoNoGoReversalTask}: follow a Go/No-Go rule over K cues
 *       that flips unannounced mid-episode; its feedback input is the {@linkplain
 *       dev.metaplastic.episodes.EpisodeTask#rewardChannel reward channel} a reward-modulated
 *       plasticity reads.
 * </ul>
 *
 * <p>{@link dev.metaplastic.episodes.RewardedGoNoGoTask} is the reinforcement-learning form of
 * Go/No-Go: episodes of cues with several reversals, which an agent plays with its own actions (the
 * reward is computed inside the graph), scored by {@link dev.metaplastic.episodes.GoNoGoScores}
 * (hit and false-alarm rates, d′, trials to criterion after each reversal).
 *
 * <p>{@link dev.metaplastic.episodes.EpisodeTasks#named} builds them by name (and go/no-go with its
 * sizes). Invalid arguments are {@link IllegalArgumentException}s whose messages say what was
 * expected.
 */
package dev.metaplastic.episodes;
