package dev.servicelab.sandbox;

import dev.servicelab.catalog.LabCatalogService;
import dev.servicelab.provisioner.Hibernation;
import dev.servicelab.provisioner.SandboxLimits;
import dev.servicelab.provisioner.SandboxManager;
import dev.servicelab.provisioner.SandboxPreparer;
import dev.servicelab.provisioner.SandboxProvisioner;
import dev.servicelab.provisioner.docker.DockerSandboxProvisioner;
import dev.servicelab.provisioner.docker.DockerSandboxSettings;
import dev.servicelab.provisioner.kit.KitImages;
import dev.servicelab.provisioner.kubernetes.KubernetesSandboxProvisioner;
import dev.servicelab.provisioner.kubernetes.KubernetesSandboxSettings;
import java.time.Clock;
import java.util.Set;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "servicelab.sandbox.enabled", havingValue = "true", matchIfMissing = true)
class SandboxConfiguration {

    @Bean
    SandboxProvisioner sandboxProvisioner(SandboxProperties properties) {
        KitImages kit = properties.image().isBlank() || properties.toolboxImage().isBlank() ? KitImages.fromWorkingDirectory() : null;
        String image = properties.image().isBlank() ? kit.node() : properties.image();
        String toolbox = properties.toolboxImage().isBlank() ? kit.toolbox() : properties.toolboxImage();
        return switch (properties.provider()) {
            case DOCKER -> new DockerSandboxProvisioner(new DockerSandboxSettings(image, toolbox,
                    properties.extraServerArgs(), properties.startupTimeout(), properties.memory().toBytes(),
                    properties.cpus(), properties.platformId(), properties.imagesDirectory(), properties.hostAddress(),
                    properties.platformContainer(), properties.pidsLimit(), properties.egressAllow(),
                    properties.nodeInternet()));
            case KUBERNETES -> {
                var k = properties.kubernetes();
                yield new KubernetesSandboxProvisioner(new KubernetesSandboxSettings(k.namespace(), k.kubeconfig(), image,
                        toolbox, properties.extraServerArgs(), properties.startupTimeout(), properties.memory().toBytes(),
                        properties.cpus(), k.memoryRequest(), k.cpuRequest(), properties.platformId(), k.runtimeClass(), k.clusterCidr(),
                        k.serviceCidr()));
            }
        };
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    SandboxManager sandboxManager(SandboxProvisioner provisioner, JdbcSandboxLedger ledger, SandboxProperties p,
            SandboxPreparer labSetup, JdbcSandboxSnapshots snapshots, LabCatalogService catalog) {
        SandboxManager manager = new SandboxManager(provisioner, ledger, new SandboxLimits(p.warmPool(), p.maxPerLearner(),
                p.maxTotal(), p.maxConcurrentStarts(), p.idleTimeout(), p.hardTtl(), p.extension(), p.healthInterval(),
                p.startGrace()), Clock.systemUTC());
        manager.preparer(labSetup);
        // Read at every start, so a catalog reload that adds an addon to a lab takes effect.
        manager.addons(labId -> catalog.catalog().lab(labId).map(lab -> Set.copyOf(lab.sandbox().addons())).orElse(Set.of()));
        manager.hibernation(new Hibernation(p.freezeAfter(), p.hibernateAfter(), p.snapshotInterval()), snapshots);
        manager.queueing(p.queueLeaveAfter());
        return manager;
    }
}
