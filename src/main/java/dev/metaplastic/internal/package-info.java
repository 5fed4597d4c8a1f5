/**
 * Not part of the API: the boundary between the façade's own types and the manifest's protobuf
 * messages ({@code metaplastic/manifest.proto}), which the façade packages never take or return.
 * Tools and tests that check the files themselves read manifests here.
 */
package dev.metaplastic.internal;
