/**
 * Writing outputs safely: {@link dev.metaplastic.files.Outputs} checks an output path before any
 * work starts, {@link dev.metaplastic.files.StagedFile} writes a file that appears complete or not
 * at all, and {@link dev.metaplastic.files.OutputLock} keeps a second run out of a directory that
 * one run is writing. Temporary siblings are named {@code .tmp-<target>-<random>}, locked while in
 * use, and removed by the next write to the same target once nobody holds them.
 */
package dev.metaplastic.files;
