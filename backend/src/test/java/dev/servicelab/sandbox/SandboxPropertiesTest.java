package dev.servicelab.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

/** The sandbox settings bind as operators write them, and nonsense stops the server with the setting's name. */
class SandboxPropertiesTest {

    @Configuration
    @EnableConfigurationProperties(SandboxProperties.class)
    static class Settings {
    }

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(Settings.class);

    @Test
    void theProviderIsWrittenInLowerCaseAsInTheReadme() {
        runner.withPropertyValues("servicelab.sandbox.provider=kubernetes").run(context ->
                assertThat(context.getBean(SandboxProperties.class).provider()).isEqualTo(SandboxProperties.Provider.KUBERNETES));
    }

    @Test
    void anUnknownProviderStopsTheServerNamingTheSetting() {
        runner.withPropertyValues("servicelab.sandbox.provider=podman").run(context ->
                assertThat(context).hasFailed().getFailure().hasStackTraceContaining("servicelab.sandbox.provider"));
    }

    @Test
    void aHostForNoSandboxIsRefusedAtStartUp() {
        runner.withPropertyValues("servicelab.sandbox.max-total=0").run(context ->
                assertThat(context).hasFailed().getFailure().hasStackTraceContaining("maxTotal"));
    }

    @Test
    void theDefaultsNeedNoSetting() {
        runner.run(context -> {
            SandboxProperties settings = context.getBean(SandboxProperties.class);
            assertThat(settings.provider()).isEqualTo(SandboxProperties.Provider.DOCKER);
            assertThat(settings.maxTotal()).isEqualTo(8);
        });
    }
}
