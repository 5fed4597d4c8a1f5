package dev.metaplastic.it;

import dev.metaplastic.files.OutputLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a directory holds, to show that a command changed nothing: every entry's path, and for a
 * file its size and modification time, for a link its target. A directory's own time is left out:
 * checking that a directory takes a write creates and deletes a probe file in it; so is the lock
 * file of a checkpoint directory, whose content names whoever locked it last.
 */
final class Listing {
  private Listing() {}

  static List<String> of(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted().toList()) {
        if (p.getFileName().toString().equals(OutputLock.FILE)) {
          continue;
        }
        String entry = dir.relativize(p).toString();
        if (Files.isSymbolicLink(p)) {
          entry += " -> " + Files.readSymbolicLink(p);
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          entry += " " + Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis();
        }
        out.add(entry);
      }
    }
    return out;
  }

  /** Copies a directory tree; returns {@code to}. */
  static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return to;
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
