package dev.servicelab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A lab with a fault pool: how it is written, what the loader refuses, and what a learner gets of it. */
class FaultPoolLoaderTest {

    private static String fault(String id) {
        return """
                    - id: %s
                      title: Fault %s
                      instructions: steps/fault.md
                      setup: [manifests/%s.yaml]
                      checks:
                        - type: http
                          url: http://%s.shop/
                      hints: [Look at its endpoints.]
                      solution:
                        commands: [kubectl get pods -A]
                      wrong:
                        - name: restarted-it
                          commands: [kubectl get pods -A]
                          expect: no endpoints
                """.formatted(id, id, id, id);
    }

    private static String lab(int choose, String... faults) {
        StringBuilder pool = new StringBuilder();
        for (String id : faults) {
            pool.append(fault(id));
        }
        return """
                id: shop
                title: A shop with faults of your own
                summary: Each learner gets some of the faults.
                difficulty: advanced
                estimatedMinutes: 30
                steps:
                  - id: look-around
                    title: Look around
                    instructions: steps/fault.md
                    setup: [manifests/look.yaml]
                    checks:
                      - type: absent
                        kind: Pod
                        name: nobody
                    hints: [kubectl get pods.]
                    solution:
                      commands: [kubectl get pods -A]
                faults:
                  setup: [manifests/shared.yaml]
                  choose: %d
                  pool:
                %s""".formatted(choose, pool);
    }

    @TempDir
    Path catalog;

    private final LabLoader loader = new LabLoader();

    private LabCatalog load(String manifest, String... faults) throws IOException {
        Path dir = catalog.resolve("shop");
        Files.createDirectories(dir.resolve("steps"));
        Files.createDirectories(dir.resolve("manifests"));
        Files.writeString(dir.resolve("lab.yaml"), manifest);
        Files.writeString(dir.resolve("steps/fault.md"), "# A report\nSomething is broken.\n");
        for (String name : List.of("look", "shared", "a", "b", "c", "d", "e", "a1", "a2", "a3", "a4", "a5", "a6", "a7")) {
            Files.writeString(dir.resolve("manifests/" + name + ".yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + name + "}\n");
        }
        return loader.load(catalog);
    }

    private List<String> problems(String manifest) throws IOException {
        LabCatalog result = load(manifest);
        assertThat(result.lab("shop")).as("a malformed lab must not load").isEmpty();
        return result.rejected().get("shop").stream().map(LabProblem::toString).toList();
    }

    @Test
    void aPoolLoadsWithItsFaultsAsCompleteStepsAndTheLearnersStepCount() throws IOException {
        Lab lab = load(lab(2, "a", "b", "c")).lab("shop").orElseThrow();
        assertThat(lab.steps()).extracting(LabStep::id).containsExactly("look-around");
        assertThat(lab.faults().pool()).extracting(LabStep::id).containsExactly("a", "b", "c");
        assertThat(lab.faults().pool().get(1).wrong()).singleElement().satisfies(w -> assertThat(w.expect()).isEqualTo("no endpoints"));
        assertThat(lab.faults().setup()).containsExactly("manifests/shared.yaml");
        assertThat(lab.stepCount()).isEqualTo(3);
    }

    @Test
    void aLearnersLabIsTheSharedStepsThenTheirFaultsInPoolOrderWithEverySetupAtTheStart() throws IOException {
        Lab lab = load(lab(2, "a", "b", "c")).lab("shop").orElseThrow();
        Lab mine = lab.forLearner(42);
        assertThat(mine.faults()).isNull();
        assertThat(mine.steps()).hasSize(3);
        assertThat(mine.steps().get(0).id()).isEqualTo("look-around");
        List<String> faults = mine.steps().subList(1, 3).stream().map(LabStep::id).toList();
        assertThat(faults).isSortedAccordingTo(String::compareTo).isSubsetOf("a", "b", "c");
        assertThat(mine.steps().get(0).setup()).containsExactly("manifests/shared.yaml", "manifests/look.yaml",
                "manifests/" + faults.get(0) + ".yaml", "manifests/" + faults.get(1) + ".yaml");
        assertThat(mine.steps().subList(1, 3)).allSatisfy(step -> assertThat(step.setup()).isEmpty());
        assertThat(mine.forLearner(7)).as("a learner's lab is final").isSameAs(mine);
    }

    @Test
    void withAllFaultsTheLabHasEveryFaultOfThePool() throws IOException {
        Lab all = load(lab(2, "a", "b", "c")).lab("shop").orElseThrow().withAllFaults();
        assertThat(all.steps()).extracting(LabStep::id).containsExactly("look-around", "a", "b", "c");
        assertThat(all.steps().get(0).setup()).containsExactly("manifests/shared.yaml", "manifests/look.yaml",
                "manifests/a.yaml", "manifests/b.yaml", "manifests/c.yaml");
    }

    @Test
    void aLabWithoutPoolIsTheSameForEveryLearner() throws IOException {
        Lab lab = load(lab(2, "a", "b").replaceAll("(?s)faults:.*", "")).lab("shop").orElseThrow();
        assertThat(lab.forLearner(1)).isSameAs(lab);
        assertThat(lab.stepCount()).isEqualTo(1);
    }

    @Test
    void choosingMoreFaultsThanThePoolHoldsIsRefused() throws IOException {
        assertThat(problems(lab(4, "a", "b", "c")))
                .anySatisfy(p -> assertThat(p).contains("faults.choose is 4 but the pool has only 3 faults"));
    }

    @Test
    void aFaultIdUsedTwiceOrClashingWithAStepIsRefused() throws IOException {
        assertThat(problems(lab(1, "a", "a"))).anySatisfy(p -> assertThat(p).contains("fault id 'a' is used twice"));
        assertThat(problems(lab(1, "a", "b").replace("id: b", "id: look-around")))
                .anySatisfy(p -> assertThat(p).contains("fault id 'look-around' is used twice"));
    }

    @Test
    void anIncompleteFaultIsRefusedLikeAnIncompleteStep() throws IOException {
        String noSolutionNorChecks = """
                    - id: b
                      title: Fault b
                      instructions: steps/fault.md
                      hints: [Look.]
                """;
        assertThat(problems(lab(1, "a") + noSolutionNorChecks)).anySatisfy(p -> assertThat(p).contains("fault 'b' needs a solution"))
                .anySatisfy(p -> assertThat(p).contains("fault 'b' needs at least one check"));
    }

    @Test
    void aPoolNeedsChooseAndFaults() throws IOException {
        assertThat(problems(lab(1, "a").replace("  choose: 1\n", "")))
                .anySatisfy(p -> assertThat(p).contains("faults needs 'choose'"));
        assertThat(problems(lab(1, "a").replaceAll("(?s)  pool:.*", "")))
                .anySatisfy(p -> assertThat(p).contains("faults needs a 'pool'"));
    }

    @Test
    void theLearnersStepCountCountsTheChosenFaultsAgainstTheLimit() throws IOException {
        String many = lab(12, "a", "b", "c", "d", "e", "a1", "a2", "a3", "a4", "a5", "a6", "a7");
        assertThat(problems(many)).anySatisfy(p -> assertThat(p).contains("not 13 (1 steps and 12 faults chosen per learner)"));
    }
}
