/**
 * Model graphs and the training graph that composes a model, a loss, an optimizer and any number of
 * consolidation rules; and {@link dev.metaplastic.graphs.PlasticRnn}, a recurrent layer whose
 * recurrent weights are plastic within an episode (Hebbian, Oja, neuromodulated, gradient-based or
 * reward-modulated fast weights), unrolled over a fixed number of steps; and {@link
 * dev.metaplastic.graphs.GoNoGoAgent}, a recurrent actor-critic that plays Go/No-Go inside the
 * graph and learns from its own rewards, its plastic input connection gated by neuromodulators,
 * trained by {@link dev.metaplastic.graphs.GoNoGoTrainingGraph}.
 *
 * <p>Everything here builds graph ops and returns handles to them; nothing here runs a session.
 * {@link dev.metaplastic.graphs.SessionOptions} only builds the configuration of the sessions that
 * the façade ({@code dev.metaplastic.train}) opens on these graphs.
 */
package dev.metaplastic.graphs;
