/**
 * The {@code metaplastic} command line. Each command parses its options and calls the library: the
 * protocols of {@code demo}, {@code compare}, {@code continue} and {@code plastic} live in {@link
 * dev.metaplastic.experiments} and their reports in {@link dev.metaplastic.experiments.report}.
 * Progress bars are listeners, not code inside the training loop; user errors print one line and
 * exit with status 2.
 */
package dev.metaplastic.cli;
