package dev.servicelab.grading;

import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Webhook deliveries run on a schedule; the OpenAPI description learns of bearer tokens. */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class GradingConfiguration {

    @Bean
    OpenApiCustomizer apiTokenSecurityScheme() {
        return openApi -> {
            openApi.getComponents().addSecuritySchemes("apiToken", new SecurityScheme().type(SecurityScheme.Type.HTTP)
                    .scheme("bearer").bearerFormat("slt_<prefix>_<secret>")
                    .description("An instructor's API token (POST /api/v1/tokens); its scopes limit what it may do."));
            openApi.addSecurityItem(new SecurityRequirement().addList("apiToken"));
        };
    }
}
