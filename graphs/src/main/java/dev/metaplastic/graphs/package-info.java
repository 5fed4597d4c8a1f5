/**
 * Model graphs and the training graph that composes a model, a loss, an optimizer and any number of
 * consolidation rules.
 *
 * <p>Everything here builds graph ops and returns handles to them; nothing here runs a session.
 */
package dev.metaplastic.graphs;
