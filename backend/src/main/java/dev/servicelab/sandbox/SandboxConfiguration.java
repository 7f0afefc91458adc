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
        String image = properties.image().isBlank() ? KitImages.fromWorkingDirectory().node() : properties.image();
        return new DockerSandboxProvisioner(new DockerSandboxSettings(image, properties.extraServerArgs(),
                properties.startupTimeout(), properties.memory().toBytes(), properties.cpus(), properties.platformId(),
                properties.imagesDirectory(), properties.hostAddress()));
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    SandboxManager sandboxManager(SandboxProvisioner provisioner, JdbcSandboxLedger ledger, SandboxProperties p) {
        return new SandboxManager(provisioner, ledger, new SandboxLimits(p.warmPool(), p.maxPerLearner(), p.maxTotal(),
                p.maxConcurrentStarts(), p.idleTimeout(), p.hardTtl(), p.extension(), p.healthInterval()), Clock.systemUTC());
    }
}
