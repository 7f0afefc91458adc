package dev.servicelab.sandbox;

import dev.servicelab.sandbox.docker.DockerSandboxProvisioner;
import dev.servicelab.sandbox.docker.DockerSandboxSettings;
import dev.servicelab.sandbox.kit.KitImages;
import java.time.Clock;
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
        return new DockerSandboxProvisioner(new DockerSandboxSettings(image, toolbox, properties.extraServerArgs(),
                properties.startupTimeout(), properties.memory().toBytes(), properties.cpus(), properties.platformId(),
                properties.imagesDirectory(), properties.hostAddress()));
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    SandboxManager sandboxManager(SandboxProvisioner provisioner, JdbcSandboxLedger ledger, SandboxProperties p,
            SandboxPreparer labSetup) {
        SandboxManager manager = new SandboxManager(provisioner, ledger, new SandboxLimits(p.warmPool(), p.maxPerLearner(),
                p.maxTotal(), p.maxConcurrentStarts(), p.idleTimeout(), p.hardTtl(), p.extension(), p.healthInterval()),
                Clock.systemUTC());
        manager.preparer(labSetup);
        return manager;
    }
}
