/**
 * The {@code metaplastic} command line: {@code demo}, {@code train} and {@code bench}, with
 * progress bars, accuracy tables and PNG plots as training listeners.
 */
package dev.metaplastic.cli;
