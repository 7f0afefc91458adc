package dev.servicelab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The labs we ship must all load: a rejected lab would silently vanish from the catalog. */
class ShippedCatalogTest {

    private final LabCatalog catalog = new LabLoader().load(Path.of(System.getProperty("servicelab.catalog", "catalog")));

    @Test
    void everyShippedLabLoadsWithoutProblems() {
        assertThat(catalog.rejected()).isEmpty();
    }

    @Test
    void theCurriculumCoversTheServicesTopics() {
        assertThat(catalog.labs()).extracting(Lab::id).contains("why-services", "clusterip", "selectors-endpoints",
                "service-discovery", "nodeport", "loadbalancer-tunnel", "statefulset-headless", "externalname",
                "multiport-portforward", "traffic-policies", "externalips", "networkpolicy", "ingress");
    }

    @Test
    void theCatalogFollowsTheCourseOrderItsReadmeRecommends() throws IOException {
        Path readme = Path.of(System.getProperty("servicelab.catalog", "catalog"), "README.md");
        Matcher row = Pattern.compile("(?m)^\\| \\d+ \\| \\[`([a-z0-9-]+)`\\]").matcher(Files.readString(readme));
        List<String> recommended = new ArrayList<>();
        while (row.find()) {
            recommended.add(row.group(1));
        }
        assertThat(catalog.labs()).extracting(Lab::id).containsExactlyElementsOf(recommended);
    }

    @Test
    void everyStepHasAtLeastFourAndAtMostEightStepsPerLab() {
        assertThat(catalog.labs()).allSatisfy(lab -> assertThat(lab.stepCount()).isBetween(4, 8));
    }
}
