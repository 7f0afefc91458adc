package dev.servicelab.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The backend's package rules (see each package's package-info): nothing imports {@code web};
 * {@code security} and {@code problem} import no feature; feature packages do not import each other
 * in a cycle. (Only the ledger uses the sandbox table: {@link SandboxTableOwnershipTest}.) Each rule
 * is also evaluated against a deliberately broken miniature in {@code architecture.fixture}, to
 * show that it fails when broken.
 */
class ArchitectureTest {

    private static final String ROOT = "dev.servicelab";
    private static final String FIXTURE = "dev.servicelab.architecture.fixture";
    /** Packages that hold a feature (or the web layer): what the shared packages may not import. */
    private static final String[] FEATURES = {"account", "catalog", "learning", "cohort", "grading", "progress", "check", "sandbox",
            "terminal", "traffic", "kubeproxy", "live", "events", "jobs", "database", "web"};

    /** The backend's own classes only: the modules it uses have rules of their own. */
    private static final JavaClasses BACKEND = new ClassFileImporter().importPath(Path.of("target/classes"));
    private static final JavaClasses BROKEN = new ClassFileImporter().importPackages(FIXTURE);

    static ArchRule nothingImportsWeb(String root) {
        return noClasses().that().resideOutsideOfPackage(root + ".web..")
                .should().dependOnClassesThat().resideInAPackage(root + ".web..")
                .because("web is the generic exception handler and API description; features map their own problems");
    }

    static ArchRule securityImportsNoFeature(String root) {
        return noClasses().that().resideInAPackage(root + ".security..")
                .should().dependOnClassesThat().resideInAnyPackage(features(root))
                .because("features depend on security, never the other way round: "
                        + "what security needs of a feature is an interface in security");
    }

    static ArchRule problemImportsNoFeature(String root) {
        return noClasses().that().resideInAPackage(root + ".problem..")
                .should().dependOnClassesThat().resideInAnyPackage(features(root))
                .because("the problem vocabulary is shared by every feature");
    }

    static ArchRule featuresAreFreeOfCycles(String root) {
        return slices().matching(root + ".(*)..").should().beFreeOfCycles();
    }

    private static String[] features(String root) {
        return Arrays.stream(FEATURES).map(f -> root + "." + f + "..").toArray(String[]::new);
    }

    @Test
    void nothingImportsWeb() {
        nothingImportsWeb(ROOT).check(BACKEND);
    }

    @Test
    void securityImportsNoFeature() {
        securityImportsNoFeature(ROOT).check(BACKEND);
    }

    @Test
    void problemImportsNoFeature() {
        problemImportsNoFeature(ROOT).check(BACKEND);
    }

    @Test
    void featurePackagesHaveNoCycles() {
        featuresAreFreeOfCycles(ROOT).check(BACKEND);
    }

    @Test
    void theRulesSeeTheBackend() {
        assertThat(BACKEND.containPackage(ROOT + ".security")).isTrue();
        assertThat(BACKEND.containPackage(ROOT + ".web")).isTrue();
    }

    @Test
    void aFeatureImportingWebBreaksTheRule() {
        EvaluationResult result = nothingImportsWeb(FIXTURE).evaluate(BROKEN);
        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().getDetails()).singleElement().asString().contains("UsesWeb");
    }

    @Test
    void securityImportingAFeatureBreaksTheRule() {
        EvaluationResult result = securityImportsNoFeature(FIXTURE).evaluate(BROKEN);
        assertThat(result.getFailureReport().getDetails()).singleElement().asString().contains("KnowsAFeature");
    }

    @Test
    void twoFeaturesImportingEachOtherBreakTheRule() {
        EvaluationResult result = featuresAreFreeOfCycles(FIXTURE).evaluate(BROKEN);
        assertThat(result.getFailureReport().getDetails()).singleElement().asString()
                .contains("cohort").contains("grading");
    }
}
