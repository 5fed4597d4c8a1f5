package dev.metaplastic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.graphs.TrainingGraph;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The façade packages speak their own types: no public or protected constructor, method, field or
 * record component of a public class there, nor its supertypes, mentions a type of the manifest's
 * protobuf package, generic arguments, bounds and thrown types included. Read by reflection from
 * the compiled classes of this module.
 */
class FacadeTypesTest {
  private static final List<String> FACADE =
      List.of(
          "dev.metaplastic.train",
          "dev.metaplastic.savedmodel",
          "dev.metaplastic.serve",
          "dev.metaplastic.interop",
          "dev.metaplastic.experiments",
          "dev.metaplastic.experiments.report",
          "dev.metaplastic.episodes",
          "dev.metaplastic.data",
          "dev.metaplastic.files");
  private static final String PROTO = "dev.metaplastic.graphs.proto.";

  @Test
  void noFacadeSignatureMentionsTheManifestProtobuf() throws Exception {
    List<String> leaks = new ArrayList<>();
    int classes = 0;
    for (String pkg : FACADE) {
      List<Class<?>> found = classesOf(pkg);
      assertTrue(!found.isEmpty(), "no compiled classes found in " + pkg);
      for (Class<?> c : found) {
        if (isApi(c)) {
          classes++;
          leaks.addAll(leaksOf(c));
        }
      }
    }
    assertTrue(classes > 50, "only " + classes + " public classes found");
    assertEquals(List.of(), leaks);
  }

  /** The check finds a leak where there is one: {@code TrainingGraph.source()} (in graphs/). */
  @Test
  void theCheckSeesAProtobufReturnType() {
    assertTrue(
        leaksOf(TrainingGraph.class).stream().anyMatch(l -> l.contains("source()")),
        leaksOf(TrainingGraph.class).toString());
  }

  /** Public, and nested only in public classes. */
  private static boolean isApi(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
      if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass()) {
        return false;
      }
    }
    return !c.isSynthetic();
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  /** Every signature of {@code c} visible to users that mentions a protobuf type. */
  private static List<String> leaksOf(Class<?> c) {
    List<String> leaks = new ArrayList<>();
    List<Type> supertypes = new ArrayList<>(List.of(c.getGenericInterfaces()));
    if (c.getGenericSuperclass() != null) {
      supertypes.add(c.getGenericSuperclass());
    }
    check(leaks, c.getName() + " (supertypes)", supertypes.toArray(Type[]::new));
    for (Constructor<?> k : c.getDeclaredConstructors()) {
      if (visible(k.getModifiers()) && !k.isSynthetic()) {
        checkExecutable(leaks, c, k, null);
      }
    }
    for (Method m : c.getDeclaredMethods()) {
      if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
        checkExecutable(leaks, c, m, m.getGenericReturnType());
      }
    }
    for (Field f : c.getDeclaredFields()) {
      if (visible(f.getModifiers()) && !f.isSynthetic()) {
        check(leaks, name(c, f) + " (field)", f.getGenericType());
      }
    }
    if (c.isRecord()) {
      for (RecordComponent r : c.getRecordComponents()) {
        check(leaks, c.getName() + "." + r.getName() + " (record component)", r.getGenericType());
      }
    }
    return leaks;
  }

  private static void checkExecutable(List<String> leaks, Class<?> c, Executable e, Type result) {
    String where = name(c, e) + "()";
    if (result != null) {
      check(leaks, where, result);
    }
    check(leaks, where, e.getGenericParameterTypes());
    check(leaks, where, e.getGenericExceptionTypes());
    check(leaks, where, e.getTypeParameters());
  }

  private static String name(Class<?> c, Member m) {
    return c.getName() + "." + (m instanceof Constructor<?> ? "<init>" : m.getName());
  }

  private static void check(List<String> leaks, String where, Type... types) {
    Set<String> mentioned = new HashSet<>();
    for (Type t : types) {
      mentions(t, mentioned, Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
    }
    mentioned.stream().sorted().forEach(p -> leaks.add(where + " mentions " + p));
  }

  /** Adds every protobuf class {@code t} names to {@code found}. */
  private static void mentions(Type t, Set<String> found, Set<Type> seen) {
    if (t == null || !seen.add(t)) {
      return;
    }
    if (t instanceof Class<?> c) {
      while (c.isArray()) {
        c = c.getComponentType();
      }
      if (c.getName().startsWith(PROTO)) {
        found.add(c.getName());
      }
    } else if (t instanceof ParameterizedType p) {
      mentions(p.getRawType(), found, seen);
      mentions(p.getOwnerType(), found, seen);
      for (Type a : p.getActualTypeArguments()) {
        mentions(a, found, seen);
      }
    } else if (t instanceof WildcardType w) {
      for (Type b : w.getUpperBounds()) {
        mentions(b, found, seen);
      }
      for (Type b : w.getLowerBounds()) {
        mentions(b, found, seen);
      }
    } else if (t instanceof TypeVariable<?> v) {
      for (Type b : v.getBounds()) {
        mentions(b, found, seen);
      }
    } else if (t instanceof GenericArrayType a) {
      mentions(a.getGenericComponentType(), found, seen);
    }
  }

  /** The classes compiled into {@code pkg} (not its subpackages), from this module's output. */
  private static List<Class<?>> classesOf(String pkg)
      throws IOException, URISyntaxException, ClassNotFoundException {
    List<Class<?>> classes = new ArrayList<>();
    ClassLoader loader = FacadeTypesTest.class.getClassLoader();
    String dir = pkg.replace('.', '/');
    for (URL url : Collections.list(loader.getResources(dir))) {
      if (!url.getProtocol().equals("file") || url.getPath().contains("test-classes")) {
        continue;
      }
      try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
        for (Path f : files.sorted().toList()) {
          String file = f.getFileName().toString();
          if (file.endsWith(".class") && !file.equals("package-info.class")) {
            String simple = file.substring(0, file.length() - ".class".length());
            classes.add(Class.forName(pkg + "." + simple, false, loader));
          }
        }
      }
    }
    return classes;
  }
}
