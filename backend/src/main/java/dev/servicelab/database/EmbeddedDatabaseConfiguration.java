package dev.servicelab.database;

import dev.servicelab.db.EmbeddedPostgres;
import com.zaxxer.hikari.HikariDataSource;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Runs the platform on a real PostgreSQL even where none is installed: unless an operator sets
 * {@code spring.datasource.url}, the server starts its own from zonky's binaries.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.datasource.url:}'.isEmpty()")
class EmbeddedDatabaseConfiguration {

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(DatabaseProperties properties) {
        return EmbeddedPostgres.start(new EmbeddedPostgres.Settings(properties.effectiveDirectory(),
                properties.effectiveBinariesCache(), properties.port(), properties.database()));
    }

    /** The same pool settings ({@code spring.datasource.hikari.*}) as an external database gets. */
    @Bean
    @ConfigurationProperties("spring.datasource.hikari")
    HikariDataSource dataSource(EmbeddedPostgres postgres) {
        return DataSourceBuilder.create().type(HikariDataSource.class).url(postgres.jdbcUrl()).username(postgres.username())
                .password(postgres.password()).build();
    }
}
