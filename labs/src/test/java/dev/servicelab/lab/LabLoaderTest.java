package dev.servicelab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabLoaderTest {

    private static final String VALID = """
            id: demo
            title: A demo lab
            summary: Shows the format.
            difficulty: beginner
            estimatedMinutes: 10
            tags: [clusterip]
            steps:
              - id: expose
                title: Expose the app
                instructions: steps/01.md
                setup: [manifests/app.yaml]
                checks:
                  - type: resource
                    kind: Service
                    name: web
                    fields:
                      spec.type: ClusterIP
                      spec.ports[0].targetPort: 8080
                hints: [Use kubectl expose.]
                solution:
                  manifests: [solutions/service.yaml]
                wrong:
                  - name: wrong-port
                    manifests: [solutions/service.yaml]
                    expect: targetPort
            """;

    @TempDir
    Path catalog;

    private final LabLoader loader = new LabLoader();

    private Path writeLab(String folder, String manifest) throws IOException {
        Path dir = catalog.resolve(folder);
        Files.createDirectories(dir.resolve("steps"));
        Files.createDirectories(dir.resolve("manifests"));
        Files.createDirectories(dir.resolve("solutions"));
        Files.writeString(dir.resolve("lab.yaml"), manifest);
        Files.writeString(dir.resolve("steps/01.md"), "# Expose\nRun `kubectl expose`.\n");
        Files.writeString(dir.resolve("manifests/app.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n");
        Files.writeString(dir.resolve("solutions/service.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: y}\n");
        return dir;
    }

    private List<String> problemsOf(String folder, String manifest) throws IOException {
        writeLab(folder, manifest);
        LabCatalog result = loader.load(catalog);
        assertThat(result.lab(folder)).as("a malformed lab must not load").isEmpty();
        return result.rejected().get(folder).stream().map(LabProblem::toString).toList();
    }

    @Test
    void aValidLabLoadsWithItsStepsChecksAndInstructions() throws IOException {
        writeLab("demo", VALID);
        LabCatalog result = loader.load(catalog);
        assertThat(result.rejected()).isEmpty();
        Lab lab = result.lab("demo").orElseThrow();
        assertThat(lab.difficulty()).isEqualTo(Lab.Difficulty.BEGINNER);
        assertThat(lab.sandbox().nodes()).isEqualTo(1);
        LabStep step = lab.steps().get(0);
        assertThat(step.instructions()).contains("kubectl expose");
        assertThat(step.checks()).singleElement().satisfies(check -> {
            assertThat(check.type()).isEqualTo(CheckType.RESOURCE);
            assertThat(check.namespace()).isEqualTo("default");
            assertThat(check.map("fields")).containsEntry("spec.ports[0].targetPort", "8080");
            assertThat(check.source()).isEqualTo("lab.yaml:13");
        });
        assertThat(step.wrong()).singleElement().extracting(LabStep.WrongSolution::expect).isEqualTo("targetPort");
    }

    @Test
    void brokenYamlIsReportedWithItsLine() throws IOException {
        List<String> problems = problemsOf("demo", VALID.replace("  - id: expose\n", "  - id: expose\n   bad: [\n"));
        assertThat(problems).singleElement().asString().contains("lab.yaml:9:4").contains("not valid YAML");
    }

    @Test
    void anUnknownKeyIsReportedAsATypoWithWhatIsAllowed() throws IOException {
        List<String> problems = problemsOf("demo", VALID.replace("estimatedMinutes: 10", "estimatedMinutes: 10\ndificulty: hard"));
        assertThat(problems).singleElement().asString()
                .contains("lab.yaml:6:1").contains("unknown key 'dificulty'").contains("allowed:");
    }

    @Test
    void aLabAsksForSandboxAddonsByName() throws IOException {
        writeLab("demo", VALID.replace("tags: [clusterip]\n", "tags: [clusterip]\nsandbox:\n  addons: [networkPolicy]\n"));
        Lab lab = loader.load(catalog).lab("demo").orElseThrow();
        assertThat(lab.sandbox().addons()).containsExactly("networkPolicy");
        assertThat(lab.sandbox().nodes()).isEqualTo(1);
    }

    @Test
    void anUnknownSandboxAddonIsRefusedWithTheKnownOnes() throws IOException {
        List<String> problems = problemsOf("demo", VALID.replace("tags: [clusterip]\n",
                "tags: [clusterip]\nsandbox:\n  addons: [networkPolicies]\n"));
        assertThat(problems).singleElement().asString()
                .contains("sandbox addon 'networkPolicies' is unknown").contains("known addons: networkPolicy");
    }

    @Test
    void aMissingTitleIsNamed() throws IOException {
        List<String> problems = problemsOf("demo", VALID.replace("title: A demo lab\n", ""));
        assertThat(problems).singleElement().asString().contains("the lab is missing 'title'");
    }

    @Test
    void aDifficultyOutsideTheScaleIsRefused() throws IOException {
        List<String> problems = problemsOf("demo", VALID.replace("difficulty: beginner", "difficulty: extreme"));
        assertThat(problems).singleElement().asString()
                .contains("lab.yaml:4:13").contains("must be beginner, intermediate or advanced");
    }

    @Test
    void anUnknownCheckTypeListsTheKnownOnes() throws IOException {
        List<String> problems = problemsOf("demo", VALID.replace("type: resource", "type: ping"));
        assertThat(problems).singleElement().asString()
                .contains("lab.yaml:13").contains("unknown check type 'ping'").contains("serviceSelects");
    }

    @Test
    void aCheckMissingARequiredKeyIsRefused() throws IOException {
        List<String> problems = problemsOf("demo", VALID.replace("        name: web\n", ""));
        assertThat(problems).singleElement().asString().contains("a resource check needs 'name'");
    }

    private static final String POD_AGE = """
                  - type: podAge
                    selector: {app: web}
                    createdAfter: {kind: Pod, name: caller}
            """;

    @Test
    void aPodAgeCheckComparesWithTheObjectItNames() throws IOException {
        writeLab("demo", VALID.replace("    hints:", POD_AGE + "    hints:"));
        LabCatalog result = loader.load(catalog);
        assertThat(result.rejected()).isEmpty();
        assertThat(result.lab("demo").orElseThrow().steps().get(0).checks().get(1).map("createdAfter"))
                .containsEntry("kind", "Pod").containsEntry("name", "caller");
    }

    @Test
    void aPodAgeCheckNeedsExactlyOneReference() throws IOException {
        String both = POD_AGE + "        createdBefore: {kind: Pod, name: caller}\n";
        List<String> problems = problemsOf("demo", VALID.replace("    hints:", both + "    hints:"));
        assertThat(problems).singleElement().asString().contains("exactly one of createdAfter, createdBefore");
    }

    @Test
    void aPodAgeReferenceOfAnUnknownKindIsRefused() throws IOException {
        String secret = POD_AGE.replace("kind: Pod", "kind: Secret");
        List<String> problems = problemsOf("demo", VALID.replace("    hints:", secret + "    hints:"));
        assertThat(problems).singleElement().asString().contains("kind 'Secret' is not one of");
    }

    @Test
    void anInstructionsFileThatDoesNotExistIsNamed() throws IOException {
        List<String> problems = problemsOf("demo", VALID.replace("steps/01.md", "steps/99.md"));
        assertThat(problems).singleElement().asString().contains("lab.yaml:10:19").contains("'steps/99.md' does not exist");
    }

    @Test
    void aPathLeavingTheLabFolderIsRefused() throws IOException {
        List<String> problems = problemsOf("demo", VALID.replace("[manifests/app.yaml]", "[../../etc/passwd]"));
        assertThat(problems).singleElement().asString().contains("leaves the lab folder");
    }

    @Test
    void theIdMustEqualTheFolderName() throws IOException {
        List<String> problems = problemsOf("other", VALID);
        assertThat(problems).singleElement().asString().contains("must equal the folder name 'other'");
    }

    @Test
    void aStepWithoutSolutionCannotShip() throws IOException {
        String manifest = VALID.substring(0, VALID.indexOf("    solution:"));
        List<String> problems = problemsOf("demo", manifest);
        assertThat(problems).singleElement().asString().contains("needs a solution");
    }

    @Test
    void duplicateStepIdsAreRefused() throws IOException {
        String step = VALID.substring(VALID.indexOf("  - id: expose"));
        List<String> problems = problemsOf("demo", VALID + step);
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("step id 'expose' is used twice"));
    }

    @Test
    void aMissingPrerequisiteIsReported() throws IOException {
        List<String> problems = problemsOf("demo", VALID.replace("tags: [clusterip]", "tags: [clusterip]\nprerequisites: [nope]"));
        assertThat(problems).singleElement().asString().contains("not in the catalog: [nope]");
    }

    @Test
    void everyMistakeInAFileIsReportedInOnePass() throws IOException {
        List<String> problems = problemsOf("demo", VALID.replace("difficulty: beginner", "difficulty: extreme")
                .replace("estimatedMinutes: 10", "estimatedMinutes: 999"));
        assertThat(problems).hasSize(2);
    }

    @Test
    void theOtherLabsStillLoadBesideAMalformedOne() throws IOException {
        writeLab("demo", VALID);
        writeLab("broken", "id: broken\ntitle: [unclosed\n");
        LabCatalog result = loader.load(catalog);
        assertThat(result.lab("demo")).isPresent();
        assertThat(result.rejected()).containsOnlyKeys("broken");
    }

    @Test
    void prerequisitesComeFirstInTheCatalog() throws IOException {
        writeLab("demo", VALID);
        writeLab("after", VALID.replace("id: demo", "id: after").replace("tags: [clusterip]", "prerequisites: [zeta]"));
        writeLab("zeta", VALID.replace("id: demo", "id: zeta").replace("beginner", "advanced"));
        assertThat(loader.load(catalog).labs()).extracting(Lab::id).containsExactly("demo", "zeta", "after");
    }

    @Test
    void aPositionPlacesALabAmongThoseOfItsDifficultyAndUnplacedLabsFollow() throws IOException {
        writeLab("alpha", VALID.replace("id: demo", "id: alpha"));
        writeLab("beta", VALID.replace("id: demo", "id: beta").replace("estimatedMinutes: 10", "estimatedMinutes: 10\nposition: 2"));
        writeLab("gamma", VALID.replace("id: demo", "id: gamma").replace("estimatedMinutes: 10", "estimatedMinutes: 10\nposition: 1"));
        assertThat(loader.load(catalog).labs()).extracting(Lab::id).containsExactly("gamma", "beta", "alpha");
    }

    @Test
    void aPositionOutsideItsRangeIsRefused() throws IOException {
        assertThat(problemsOf("demo", VALID.replace("estimatedMinutes: 10", "estimatedMinutes: 10\nposition: 0")))
                .anyMatch(p -> p.contains("position"));
    }
}
