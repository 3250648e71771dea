package nl.riec.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Tells the operator where to log in, and warns loudly when the development password is in use. */
@Component
public class StartupBanner {
  private static final Logger LOG = LoggerFactory.getLogger(StartupBanner.class);
  static final String DEV_PASSWORD = "Demo-wachtwoord-1";

  @Value("${camunda.bpm.admin-user.id}")
  private String adminUser;

  @Value("${camunda.bpm.admin-user.password}")
  private String adminPassword;

  @Value("${server.port:8080}")
  private int port;

  @Value("${spring.datasource.url}")
  private String datasourceUrl;

  @EventListener(ApplicationReadyEvent.class)
  public void ready() {
    LOG.info("RIEC engine ready: http://localhost:{}/camunda/app/ (REST: /engine-rest, database: {})", port, datasourceUrl.replaceAll("password=[^;&]*", "password=***"));
    if (DEV_PASSWORD.equals(adminPassword)) {
      LOG.warn("Development admin login in use: user '{}' with password '{}'. Set RIEC_ENGINE_PASSWORD for any real deployment.", adminUser, DEV_PASSWORD);
    } else {
      LOG.info("Admin user: '{}' (password from RIEC_ENGINE_PASSWORD)", adminUser);
    }
  }
}
