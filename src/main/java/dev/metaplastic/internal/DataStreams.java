package dev.metaplastic.internal;

import dev.metaplastic.data.StreamDescription;
import dev.metaplastic.graphs.proto.DataStream;

/**
 * Converts a {@link StreamDescription} to and from the manifest's {@code DataStream} message, at
 * the boundary between the façade and the files. Not part of the API.
 */
public final class DataStreams {
  private DataStreams() {}

  /** The message recording {@code stream}; an empty field is left unset, as proto3 writes it. */
  public static DataStream toProto(StreamDescription stream) {
    return DataStream.newBuilder()
        .setKind(stream.kind())
        .setName(stream.name())
        .setSource(stream.source())
        .setTasks(stream.tasks())
        .addAllTaskNames(stream.taskNames())
        .setSeed(stream.seed())
        .setDirectory(stream.directory())
        .setSha256(stream.sha256())
        .build();
  }

  /** The description a message records. */
  public static StreamDescription of(DataStream stream) {
    return new StreamDescription(
        stream.getKind(),
        stream.getName(),
        stream.getSource(),
        stream.getTasks(),
        stream.getTaskNamesList(),
        stream.getSeed(),
        stream.getDirectory(),
        stream.getSha256());
  }
}
