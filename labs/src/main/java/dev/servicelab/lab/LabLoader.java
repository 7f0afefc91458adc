package dev.servicelab.lab;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads every lab folder of a catalog directory. A lab with mistakes is rejected with every problem
 * found (file, line, what is wrong); the other labs still load.
 */
public final class LabLoader {

    private static final Logger log = LoggerFactory.getLogger(LabLoader.class);
    private static final Pattern ID = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    private static final Set<String> LAB_KEYS = Set.of("id", "title", "summary", "difficulty", "estimatedMinutes",
            "position", "prerequisites", "tags", "sandbox", "steps");
    private static final Set<String> SANDBOX_KEYS = Set.of("nodes", "namespaces", "addons");
    private static final Set<String> STEP_KEYS = Set.of("id", "title", "instructions", "setup", "checks", "hints",
            "solution", "wrong");
    private static final Set<String> SOLUTION_KEYS = Set.of("manifests", "commands", "actions");
    private static final Set<String> WRONG_KEYS = Set.of("name", "manifests", "commands", "actions", "expect");
    private static final int MAX_STEPS = 12;

    public LabCatalog load(Path catalog) {
        List<Lab> labs = new ArrayList<>();
        Map<String, List<LabProblem>> rejected = new LinkedHashMap<>();
        if (!Files.isDirectory(catalog)) {
            rejected.put(catalog.toString(), List.of(new LabProblem(catalog, 0, 0,
                    "the lab catalog folder does not exist; set servicelab.labs.directory to the folder holding the labs")));
            return new LabCatalog(labs, rejected);
        }
        try (Stream<Path> folders = Files.list(catalog)) {
            for (Path folder : folders.filter(Files::isDirectory).sorted().toList()) {
                List<LabProblem> problems = new ArrayList<>();
                Lab lab = loadLab(folder, problems);
                if (problems.isEmpty() && lab != null) {
                    labs.add(lab);
                } else {
                    rejected.put(folder.getFileName().toString(), List.copyOf(problems));
                    problems.forEach(p -> log.warn("Lab rejected: {}", p));
                }
            }
        } catch (IOException e) {
            rejected.put(catalog.toString(), List.of(new LabProblem(catalog, 0, 0, "cannot list the folder: " + e.getMessage())));
        }
        checkPrerequisites(labs, rejected);
        return new LabCatalog(order(labs), rejected);
    }

    /** Loads one lab folder; returns null (with problems recorded) when it cannot be used. */
    public Lab loadLab(Path folder, List<LabProblem> problems) {
        Path manifest = folder.resolve("lab.yaml");
        if (!Files.isRegularFile(manifest)) {
            problems.add(new LabProblem(manifest, 0, 0, "a lab folder needs a lab.yaml manifest"));
            return null;
        }
        Node root;
        try (Reader reader = Files.newBufferedReader(manifest, StandardCharsets.UTF_8)) {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            root = new Yaml(options).compose(reader);
        } catch (MarkedYAMLException e) {
            var mark = e.getProblemMark();
            problems.add(new LabProblem(manifest, mark == null ? 0 : mark.getLine() + 1,
                    mark == null ? 0 : mark.getColumn() + 1, "not valid YAML: " + e.getProblem()));
            return null;
        } catch (IOException | RuntimeException e) {
            problems.add(new LabProblem(manifest, 0, 0, "cannot read: " + e.getMessage()));
            return null;
        }
        if (root == null) {
            problems.add(new LabProblem(manifest, 0, 0, "the file is empty"));
            return null;
        }
        YamlFile yaml = new YamlFile(manifest, problems);
        Map<String, Node> map = yaml.mapping(root, "the lab manifest", LAB_KEYS);

        String id = yaml.requiredText(map, "id", root, "the lab");
        if (id != null && !ID.matcher(id).matches()) {
            yaml.problem(map.get("id"), "id '" + id + "' must use lowercase letters, digits and dashes");
        } else if (id != null && !id.equals(folder.getFileName().toString())) {
            yaml.problem(map.get("id"), "id '" + id + "' must equal the folder name '" + folder.getFileName() + "'");
        }
        String title = yaml.requiredText(map, "title", root, "the lab");
        String summary = yaml.requiredText(map, "summary", root, "the lab");
        Lab.Difficulty difficulty = difficulty(yaml, map, root);
        Integer minutes = map.containsKey("estimatedMinutes")
                ? yaml.integer(map.get("estimatedMinutes"), "estimatedMinutes", 1, 240) : missing(yaml, root, "estimatedMinutes");
        Integer position = map.containsKey("position")
                ? yaml.integer(map.get("position"), "position", 1, 999) : Integer.valueOf(Lab.UNPLACED);
        List<String> prerequisites = yaml.texts(map.get("prerequisites"), "prerequisites");
        List<String> tags = yaml.texts(map.get("tags"), "tags");
        Lab.SandboxSpec sandbox = sandbox(yaml, map.get("sandbox"));
        List<LabStep> steps = steps(yaml, folder, map.get("steps"), root);

        if (!problems.isEmpty()) {
            return null;
        }
        return new Lab(id, title, summary, difficulty, minutes, position, prerequisites, tags, sandbox, steps, folder);
    }

    private static Integer missing(YamlFile yaml, Node root, String key) {
        yaml.problem(root, "the lab is missing '" + key + "'");
        return null;
    }

    private static Lab.Difficulty difficulty(YamlFile yaml, Map<String, Node> map, Node root) {
        String value = yaml.requiredText(map, "difficulty", root, "the lab");
        if (value == null) {
            return null;
        }
        try {
            return Lab.Difficulty.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            yaml.problem(map.get("difficulty"), "difficulty '" + value + "' must be beginner, intermediate or advanced");
            return null;
        }
    }

    private static Lab.SandboxSpec sandbox(YamlFile yaml, Node node) {
        if (node == null) {
            return new Lab.SandboxSpec(1, List.of(), List.of());
        }
        Map<String, Node> map = yaml.mapping(node, "sandbox", SANDBOX_KEYS);
        Integer nodes = map.containsKey("nodes") ? yaml.integer(map.get("nodes"), "sandbox.nodes", 1, 2) : Integer.valueOf(1);
        List<String> namespaces = yaml.texts(map.get("namespaces"), "sandbox.namespaces");
        for (String ns : namespaces) {
            if (!ID.matcher(ns).matches()) {
                yaml.problem(map.get("namespaces"), "namespace '" + ns + "' is not a valid Kubernetes name");
            }
        }
        List<String> addons = yaml.texts(map.get("addons"), "sandbox.addons");
        for (String addon : addons) {
            if (!Lab.SandboxSpec.ADDONS.contains(addon)) {
                yaml.problem(map.get("addons"), "sandbox addon '" + addon + "' is unknown; known addons: "
                        + String.join(", ", Lab.SandboxSpec.ADDONS));
            }
        }
        return new Lab.SandboxSpec(nodes == null ? 1 : nodes, namespaces, addons);
    }

    private List<LabStep> steps(YamlFile yaml, Path folder, Node node, Node root) {
        if (node == null) {
            yaml.problem(root, "the lab is missing 'steps'");
            return List.of();
        }
        List<Node> items = yaml.sequence(node, "steps");
        if (items.isEmpty() || items.size() > MAX_STEPS) {
            yaml.problem(node, "a lab needs between 1 and " + MAX_STEPS + " steps, not " + items.size());
        }
        List<LabStep> steps = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Node item : items) {
            LabStep step = step(yaml, folder, item);
            if (step != null) {
                if (!ids.add(step.id())) {
                    yaml.problem(item, "step id '" + step.id() + "' is used twice");
                }
                steps.add(step);
            }
        }
        return steps;
    }

    private LabStep step(YamlFile yaml, Path folder, Node node) {
        Map<String, Node> map = yaml.mapping(node, "a step", STEP_KEYS);
        String id = yaml.requiredText(map, "id", node, "a step");
        String where = "step '" + (id == null ? "?" : id) + "'";
        if (id != null && !ID.matcher(id).matches()) {
            yaml.problem(map.get("id"), where + ": id must use lowercase letters, digits and dashes");
        }
        String title = yaml.requiredText(map, "title", node, where);
        String instructionsPath = yaml.requiredText(map, "instructions", node, where);
        String instructions = instructionsPath == null ? null : readInstructions(yaml, folder, instructionsPath, map.get("instructions"));
        List<String> setup = files(yaml, folder, map.get("setup"), where + ".setup");

        List<CheckSpec> checks = new ArrayList<>();
        Node checksNode = map.get("checks");
        if (checksNode == null) {
            yaml.problem(node, where + " needs at least one check (its progress is decided by checks)");
        } else {
            List<Node> items = yaml.sequence(checksNode, where + ".checks");
            if (items.isEmpty()) {
                yaml.problem(checksNode, where + " needs at least one check");
            }
            for (Node item : items) {
                CheckSpec check = check(yaml, item, where);
                if (check != null) {
                    checks.add(check);
                }
            }
        }
        List<String> hints = yaml.texts(map.get("hints"), where + ".hints");
        if (hints.isEmpty()) {
            yaml.problem(map.getOrDefault("hints", node), where + " needs at least one hint");
        }
        LabStep.Solution solution = solution(yaml, folder, map.get("solution"), node, where);
        List<LabStep.WrongSolution> wrong = new ArrayList<>();
        if (map.containsKey("wrong")) {
            for (Node item : yaml.sequence(map.get("wrong"), where + ".wrong")) {
                Map<String, Node> w = yaml.mapping(item, where + ".wrong item", WRONG_KEYS);
                String name = yaml.requiredText(w, "name", item, where + ".wrong item");
                String expect = yaml.requiredText(w, "expect", item, where + ".wrong '" + name + "'");
                List<String> manifests = files(yaml, folder, w.get("manifests"), where + ".wrong.manifests");
                List<String> commands = yaml.texts(w.get("commands"), where + ".wrong.commands");
                List<String> actions = actions(yaml, w.get("actions"), where + ".wrong.actions");
                if (manifests.isEmpty() && commands.isEmpty() && actions.isEmpty()) {
                    yaml.problem(item, where + ".wrong '" + name + "' needs manifests, commands or actions");
                }
                wrong.add(new LabStep.WrongSolution(name, manifests, commands, actions, expect));
            }
        }
        return new LabStep(id, title, instructions, setup, checks, hints, solution, wrong);
    }

    private LabStep.Solution solution(YamlFile yaml, Path folder, Node node, Node step, String where) {
        if (node == null) {
            yaml.problem(step, where + " needs a solution (a lab without a passing solution cannot ship)");
            return new LabStep.Solution(List.of(), List.of(), List.of());
        }
        Map<String, Node> map = yaml.mapping(node, where + ".solution", SOLUTION_KEYS);
        List<String> manifests = files(yaml, folder, map.get("manifests"), where + ".solution.manifests");
        List<String> commands = yaml.texts(map.get("commands"), where + ".solution.commands");
        List<String> actions = actions(yaml, map.get("actions"), where + ".solution.actions");
        if (manifests.isEmpty() && commands.isEmpty() && actions.isEmpty()) {
            yaml.problem(node, where + ".solution needs manifests, commands or actions");
        }
        return new LabStep.Solution(manifests, commands, actions);
    }

    private static List<String> actions(YamlFile yaml, Node node, String what) {
        List<String> actions = yaml.texts(node, what);
        for (String action : actions) {
            if (!LabStep.ACTIONS.contains(action)) {
                yaml.problem(node, what + ": unknown action '" + action + "' (known: "
                        + String.join(", ", LabStep.ACTIONS.stream().sorted().toList()) + ")");
            }
        }
        return actions;
    }

    private CheckSpec check(YamlFile yaml, Node node, String where) {
        Map<String, Node> map = yaml.mapping(node, where + " check", null);
        String typeName = yaml.requiredText(map, "type", node, where + " check");
        if (typeName == null) {
            return null;
        }
        var type = CheckType.fromYaml(typeName);
        if (type.isEmpty()) {
            yaml.problem(map.get("type"), where + ": unknown check type '" + typeName + "' (known: " + CheckType.allNames() + ")");
            return null;
        }
        CheckType t = type.get();
        for (var entry : map.entrySet()) {
            if (!t.allows(entry.getKey())) {
                yaml.problem(entry.getValue(), where + ": a " + typeName + " check has no key '" + entry.getKey() + "'");
            }
        }
        for (String key : t.required()) {
            if (!map.containsKey(key)) {
                yaml.problem(node, where + ": a " + typeName + " check needs '" + key + "'");
            }
        }
        if (map.containsKey("kind")) {
            String kind = yaml.text(map.get("kind"), "kind");
            if (kind != null && !CheckType.KINDS.contains(kind)) {
                yaml.problem(map.get("kind"), where + ": kind '" + kind + "' is not one of " + CheckType.KINDS);
            }
        }
        if (t == CheckType.POD_AGE) {
            podAgeReference(yaml, map, node, where);
        }
        Map<String, Object> params = new LinkedHashMap<>();
        map.forEach((key, value) -> {
            if (!CheckType.COMMON_KEYS.contains(key)) {
                params.put(key, yaml.plain(value));
            }
        });
        String namespace = map.containsKey("namespace") ? yaml.text(map.get("namespace"), "namespace") : "default";
        Integer timeout = map.containsKey("timeoutSeconds")
                ? yaml.integer(map.get("timeoutSeconds"), "timeoutSeconds", 0, 300) : Integer.valueOf(t.defaultTimeoutSeconds());
        String title = map.containsKey("title") ? yaml.text(map.get("title"), "title") : typeName;
        var hint = map.containsKey("hint") ? java.util.Optional.ofNullable(yaml.text(map.get("hint"), "hint"))
                : java.util.Optional.<String>empty();
        String source = yaml.file().getFileName() + ":" + (node.getStartMark().getLine() + 1);
        return new CheckSpec(t, title, namespace, timeout == null ? 0 : timeout, hint, params, source);
    }

    /** A podAge check compares with exactly one object, named by kind and name (namespace optional). */
    private static void podAgeReference(YamlFile yaml, Map<String, Node> map, Node node, String where) {
        List<String> given = CheckType.POD_AGE_REFERENCES.stream().filter(map::containsKey).sorted().toList();
        if (given.size() != 1) {
            yaml.problem(node, where + ": a podAge check needs exactly one of createdAfter, createdBefore");
            return;
        }
        Node reference = map.get(given.get(0));
        Map<String, Node> ref = yaml.mapping(reference, given.get(0), Set.of("kind", "name", "namespace"));
        String kind = yaml.requiredText(ref, "kind", reference, given.get(0));
        yaml.requiredText(ref, "name", reference, given.get(0));
        if (kind != null && !CheckType.KINDS.contains(kind)) {
            yaml.problem(ref.get("kind"), where + ": kind '" + kind + "' is not one of " + CheckType.KINDS);
        }
    }

    private List<String> files(YamlFile yaml, Path folder, Node node, String what) {
        List<String> paths = yaml.texts(node, what);
        for (String path : paths) {
            resolveInside(yaml, folder, path, node, what);
        }
        return paths;
    }

    private Path resolveInside(YamlFile yaml, Path folder, String path, Node node, String what) {
        Path resolved = folder.resolve(path).normalize();
        if (!resolved.startsWith(folder.normalize())) {
            yaml.problem(node, what + ": '" + path + "' leaves the lab folder");
            return null;
        }
        if (!Files.isRegularFile(resolved)) {
            yaml.problem(node, what + ": file '" + path + "' does not exist in " + folder.getFileName());
            return null;
        }
        return resolved;
    }

    private String readInstructions(YamlFile yaml, Path folder, String path, Node node) {
        Path file = resolveInside(yaml, folder, path, node, "instructions");
        if (file == null) {
            return null;
        }
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            if (text.isBlank()) {
                yaml.problem(node, "instructions file '" + path + "' is empty");
            }
            return text;
        } catch (IOException e) {
            yaml.problem(node, "cannot read instructions '" + path + "': " + e.getMessage());
            return null;
        }
    }

    private static void checkPrerequisites(List<Lab> labs, Map<String, List<LabProblem>> rejected) {
        Set<String> ids = new HashSet<>();
        labs.forEach(l -> ids.add(l.id()));
        for (Lab lab : List.copyOf(labs)) {
            List<String> unknown = lab.prerequisites().stream().filter(p -> !ids.contains(p)).toList();
            if (!unknown.isEmpty()) {
                labs.remove(lab);
                rejected.put(lab.id(), List.of(new LabProblem(lab.folder().resolve("lab.yaml"), 0, 0,
                        "prerequisites name labs that are not in the catalog: " + unknown)));
            }
        }
    }

    /** Prerequisites first; otherwise by difficulty, then position, then id, so the catalog reads as a course. */
    private static List<Lab> order(List<Lab> labs) {
        List<Lab> remaining = new ArrayList<>(labs);
        remaining.sort(Comparator.comparing(Lab::difficulty).thenComparingInt(Lab::position).thenComparing(Lab::id));
        List<Lab> ordered = new ArrayList<>();
        Set<String> placed = new HashSet<>();
        while (!remaining.isEmpty()) {
            Lab next = remaining.stream().filter(l -> placed.containsAll(l.prerequisites())).findFirst()
                    .orElse(remaining.get(0)); // a cycle: place it anyway rather than hide the labs
            remaining.remove(next);
            placed.add(next.id());
            ordered.add(next);
        }
        return ordered;
    }
}
