/**
 * The {@code metaplastic} command line: {@code demo}, {@code train}, {@code export}, {@code
 * import}, {@code inspect}, {@code predict} and {@code bench}. Progress bars, accuracy tables and
 * PNG plots are training listeners and reports, not code inside the training loop; user errors
 * print one line and exit with status 2.
 */
package dev.metaplastic.cli;
