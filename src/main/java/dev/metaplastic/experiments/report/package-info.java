/**
 * Reports of the protocols' results: markdown tables, console summaries and PNG charts (XChart, an
 * optional dependency of the library: declare {@code org.knowm.xchart:xchart} to use this package).
 * Every file appears complete or not at all.
 */
package dev.metaplastic.experiments.report;
